using Npgsql;

namespace Bittensor.Ledger.Application.Store;

/// <summary>One writer at a time per ledger database. Rules are checked against a <see cref="Domain.LedgerState"/>
/// folded from the store, so two writers checking against the same state could both accept events that together
/// break a rule; a PostgreSQL session-level advisory lock, held on its own connection for the whole import or
/// command, serializes them. It is per database, so per shard when subnets are sharded.</summary>
public sealed class WriterLock : IAsyncDisposable
{
    // Any constant works; this one spells "ledger" in ASCII so it is recognisable in pg_locks.
    private const long Key = 0x6c6564676572;
    private readonly NpgsqlConnection _connection;

    private WriterLock(NpgsqlConnection connection) => _connection = connection;

    public static async Task<WriterLock> AcquireAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            await using var cmd = new NpgsqlCommand("select pg_advisory_lock(@key)", connection);
            cmd.Parameters.AddWithValue("key", Key);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return new WriterLock(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closing the session releases the lock too; unlocking first returns the connection to the pool clean.
        try
        {
            await using var cmd = new NpgsqlCommand("select pg_advisory_unlock(@key)", _connection);
            cmd.Parameters.AddWithValue("key", Key);
            await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
