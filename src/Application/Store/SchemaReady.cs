using Marten;
using Npgsql;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Applies the configured schema once per process before the first raw SQL touches it: the bulk import
/// and the status query bypass the sessions that would otherwise create tables on first use. A no-op against a
/// database already at db/schema/ledger.sql. Commands starting at once on a fresh database would both run the DDL
/// and one would fail, so the migration runs under a session advisory lock of its own: the second waits,
/// then finds nothing left to apply.</summary>
public sealed class SchemaReady(IDocumentStore store, NpgsqlDataSource dataSource)
{
    // "ledgsch" in ASCII, beside WriterLock's "ledger", recognisable in pg_locks.
    private const long Key = 0x6c656467736368;
    private readonly Lazy<Task> _applied = new(() => ApplyAsync(store, dataSource));

    public Task EnsureAsync(CancellationToken ct) => _applied.Value.WaitAsync(ct);

    private static async Task ApplyAsync(IDocumentStore store, NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using (var cmd = new NpgsqlCommand("select pg_advisory_lock(@key)", connection) { CommandTimeout = 0 })
        {
            cmd.Parameters.AddWithValue("key", Key);
            await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync().ConfigureAwait(false);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", Key);
            await unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }
}
