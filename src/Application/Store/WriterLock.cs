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

    /// <summary>Takes the lock, waiting as long as another writer holds it (no command timeout: Ctrl-C ends the
    /// wait). Before waiting, <paramref name="waiting"/> is told who holds it (PostgreSQL pid, application, since when).</summary>
    public static async Task<WriterLock> AcquireAsync(NpgsqlDataSource dataSource, CancellationToken ct, Action<string>? waiting = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            await using (var attempt = new NpgsqlCommand("select pg_try_advisory_lock(@key)", connection))
            {
                attempt.Parameters.AddWithValue("key", Key);
                if ((bool)(await attempt.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
                {
                    return new WriterLock(connection);
                }
            }

            waiting?.Invoke(await HolderAsync(connection, ct).ConfigureAwait(false));
            await using var cmd = new NpgsqlCommand("select pg_advisory_lock(@key)", connection) { CommandTimeout = 0 };
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

    /// <summary>Who holds the writer lock, in words, for a command that has to wait for it.</summary>
    private static async Task<string> HolderAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        const string sql = """
            select a.pid, coalesce(nullif(a.application_name, ''), '?'), a.backend_start, coalesce(host(a.client_addr), 'local')
            from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.objid = (@key & 4294967295) and l.classid = (@key >> 32)
            limit 1
            """;
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddWithValue("key", Key);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return "another command is writing this ledger; waiting for it to finish (Ctrl-C to stop waiting)";
        }

        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"another command is writing this ledger (PostgreSQL pid {reader.GetInt32(0)}, application '{reader.GetString(1)}', " +
            $"client {reader.GetString(3)}, connected {reader.GetDateTime(2):u}); waiting for it to finish (Ctrl-C to stop waiting)");
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
