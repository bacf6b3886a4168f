using Bittensor.Ledger.Projections.Tailing;
using Marten;
using Npgsql;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Applies the configured schema once per process before the first raw SQL touches it: the bulk import
/// and the other raw-SQL writers and readers bypass the sessions that would otherwise create tables on first use
/// (`ledger status` does not: it reads only tables it checks exist). A no-op against a
/// database already at db/schema/ledger.sql. Commands starting at once on a fresh database would both run the DDL
/// and one would fail, so the migration runs under a session advisory lock of its own (<see cref="LedgerLocks.Schema"/>):
/// the second waits, then finds nothing left to apply. A rebuild drops read-model indexes and builds them at its end;
/// while it runs (<see cref="LedgerLocks.Rebuild"/>, checked under the schema lock) the schema is otherwise applied
/// (the rebuild applied it before it began), so this leaves it alone rather than create those indexes under it.</summary>
public sealed class SchemaReady(IDocumentStore store, NpgsqlDataSource dataSource)
{
    private readonly Lazy<Task> _applied = new(() => ApplyAsync(store, dataSource));

    public Task EnsureAsync(CancellationToken ct) => _applied.Value.WaitAsync(ct);

    private static async Task ApplyAsync(IDocumentStore store, NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await LedgerLocks.AcquireAsync(connection, LedgerLocks.Schema, "changing this ledger's schema", null, CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!await LedgerLocks.HeldAsync(connection, LedgerLocks.Rebuild, CancellationToken.None).ConfigureAwait(false))
            {
                await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync().ConfigureAwait(false);
                await using var compression = new NpgsqlCommand(EventCompression.Sql, connection);
                await compression.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await LedgerLocks.ReleaseAsync(connection, LedgerLocks.Schema).ConfigureAwait(false);
        }
    }
}
