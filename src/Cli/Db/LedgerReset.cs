using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;

namespace Bittensor.Ledger.Cli.Db;

/// <summary>Starting a ledger over: how many events it holds, and dropping its schema (events, read models, keys and runs)
/// so the next command creates it empty. Used by `simulate` and `import --reset`.</summary>
internal static class LedgerReset
{
    public static async Task<long> EventCountAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand($"select to_regclass('{LedgerStore.Schema}.mt_events') is not null", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
            {
                return 0;
            }
        }

        await using var cmd = new NpgsqlCommand($"select count(*) from {LedgerStore.Schema}.mt_events", connection);
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Drops the ledger's schema while holding the writer lock, so a running import or simulation finishes
    /// (and its report stays true) before its ledger is dropped, and none can start writing into a half-dropped one;
    /// and the projector lock, so a running rebuild (or an audit query's catch-up) finishes first too instead of
    /// failing half-way on a table dropped under it.</summary>
    public static async Task DropAsync(string connectionString, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        void Say(string line) => progress.WriteLine("ledger: " + line);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var writerLock = await WriterLock.AcquireAsync(dataSource, ct, Say).ConfigureAwait(false);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await LedgerLocks.AcquireAsync(connection, LedgerLocks.Projector, "projecting this ledger's read models (a rebuild, or a catch-up before a query)", Say, ct).ConfigureAwait(false);
        try
        {
            await using var cmd = new NpgsqlCommand($"drop schema if exists {LedgerStore.Schema} cascade", connection);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await LedgerLocks.ReleaseAsync(connection, LedgerLocks.Projector).ConfigureAwait(false);
        }
    }
}
