using System.Globalization;
using Npgsql;

namespace Bittensor.Ledger.Projections.Tailing;

/// <summary>
/// The PostgreSQL advisory locks by which commands on one ledger database wait for each other (docs/adr/0001-streams.md,
/// "Who waits for whom"). Each key spells its purpose in ASCII, so it is recognisable in <c>pg_locks</c>. The writer
/// lock and its fence are <c>WriterLock</c>'s (src/Application/Store).
/// </summary>
public static class LedgerLocks
{
    /// <summary>"ledgsch": schema DDL. Held by <c>SchemaReady</c> while it applies the configured schema, and by a
    /// rebuild while it marks and unmarks itself (<see cref="Rebuild"/>) and builds the read models' indexes again.</summary>
    public const long Schema = 0x6c656467736368;

    /// <summary>"ledgprj": one projector at a time (catch-up, rebuild, digest).</summary>
    public const long Projector = 0x6c656467_70726a;

    /// <summary>"ledgrbd": a rebuild has dropped read-model indexes and will build them at its end. Taken and released
    /// only under <see cref="Schema"/>, so whoever holds <see cref="Schema"/> sees a stable answer to "is a rebuild
    /// running?". While it is held, a schema check leaves the missing indexes to the rebuild; once its holder dies,
    /// the next schema check creates them.</summary>
    public const long Rebuild = 0x6c656467_726264;

    /// <summary>Held for the whole of a <c>ledger chain sync</c> of one subnet, so a second sync of the same subnet into
    /// the same ledger is refused at once rather than interleaved ("ledg" "s" and the netuid in the low 16 bits).</summary>
    public static long ChainSync(ushort netuid) => 0x6c656467_730000L | netuid;

    /// <summary>Advisory locks are per database, and one server may hold many ledgers: <c>pg_locks</c> lists them all.</summary>
    private const string ThisDatabase = "(select oid from pg_database where datname = current_database())";

    /// <summary>Whether some session holds <paramref name="key"/> now.</summary>
    public static async Task<bool> HeldAsync(NpgsqlConnection connection, long key, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "select exists (select 1 from pg_locks where locktype = 'advisory' and granted and database = " + ThisDatabase + " and classid = (@key >> 32) and objid = (@key & 4294967295))",
            connection);
        cmd.Parameters.AddWithValue("key", key);
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Who holds <paramref name="key"/>, in words ("PostgreSQL pid 123, application 'x', client local,
    /// connected …"), or null when nobody does any more.</summary>
    public static async Task<string?> HolderAsync(NpgsqlConnection connection, long key, CancellationToken ct)
    {
        const string sql = """
            select a.pid, coalesce(nullif(a.application_name, ''), '?'), a.backend_start, coalesce(host(a.client_addr), 'local')
            from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
              and l.objid = (@key & 4294967295) and l.classid = (@key >> 32)
            limit 1
            """;
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddWithValue("key", key);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL pid {reader.GetInt32(0)}, application '{reader.GetString(1)}', client {reader.GetString(3)}, connected {reader.GetDateTime(2):u}");
    }

    /// <summary>Takes the session lock <paramref name="key"/>: at once when it is free; otherwise, after telling
    /// <paramref name="waiting"/> who holds it (<paramref name="what"/> names what the holder is doing), waiting as long
    /// as it takes, with no command timeout. Cancelling <paramref name="ct"/> (Ctrl-C) ends the wait.</summary>
    public static async Task AcquireAsync(NpgsqlConnection connection, long key, string what, Action<string>? waiting, CancellationToken ct)
    {
        await using (var attempt = new NpgsqlCommand("select pg_try_advisory_lock(@key)", connection))
        {
            attempt.Parameters.AddWithValue("key", key);
            if ((bool)(await attempt.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
            {
                return;
            }
        }

        if (waiting is not null)
        {
            var holder = await HolderAsync(connection, key, ct).ConfigureAwait(false);
            waiting(holder is null
                ? $"another command is {what}; waiting for it to finish (Ctrl-C to stop waiting)"
                : $"another command is {what} ({holder}); waiting for it to finish (Ctrl-C to stop waiting)");
        }

        await using var cmd = new NpgsqlCommand("select pg_advisory_lock(@key)", connection) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("key", key);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Releases the session lock <paramref name="key"/>.</summary>
    public static async Task ReleaseAsync(NpgsqlConnection connection, long key)
    {
        await using var cmd = new NpgsqlCommand("select pg_advisory_unlock(@key)", connection);
        cmd.Parameters.AddWithValue("key", key);
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
