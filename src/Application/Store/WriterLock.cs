using Bittensor.Ledger.Projections.Tailing;
using Npgsql;

namespace Bittensor.Ledger.Application.Store;

/// <summary>One writer at a time per ledger database. Rules are checked against a <see cref="Domain.LedgerState"/>
/// folded from the store, so two writers checking against the same state could both accept events that together
/// break a rule; a PostgreSQL session-level advisory lock, held on its own connection for the whole import or
/// command, serializes them. It is per database, so per shard when subnets are sharded.</summary>
public sealed class WriterLock : IAsyncDisposable
{
    /// <summary>The lock's key. Any constant works; this one spells "ledger" in ASCII so it is recognisable in pg_locks.</summary>
    public const long Key = 0x6c6564676572;

    /// <summary>The fence: taken shared, transaction-scoped, by every transaction that draws sequence numbers (an
    /// import batch; a Marten append by <see cref="HoldFence"/>); a new writer takes it exclusively once, so a
    /// transaction of a killed writer whose backend has not yet noticed the death has ended (committed or rolled
    /// back) before the new writer reads the high-water mark. "ledgfnc" in ASCII.</summary>
    public const long FenceKey = 0x6c656467_666e63;

    /// <summary>The fence as one statement, for a Marten session's unit of work (<see cref="HoldFence"/>).</summary>
    private static readonly string FenceStatement = string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"select pg_advisory_xact_lock_shared({FenceKey})");

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
            await LedgerLocks.AcquireAsync(connection, Key, "writing this ledger", waiting, ct).ConfigureAwait(false);
            var taken = new WriterLock(connection);
            await taken.ReleaseUncommittedAsync(ct).ConfigureAwait(false);
            return taken;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Gives back the sequence numbers a writer drew and never committed (a batch killed or rolled back), so they are
    /// drawn again and <c>mt_events</c> keeps no hole for them (docs/adr/0007-projections.md, "Sequence holes").
    /// Only the holder of this lock draws from <c>mt_events_sequence</c>, and every draw of a writer that died has
    /// ended (<see cref="FenceKey"/>), so every number above the highest committed <c>seq_id</c> is unused: the
    /// sequence is set back to that <c>seq_id</c>. Runs when the lock is taken, and again by a writer that goes on
    /// under the same lock after a failed transaction (the epoch handler's LedgerWriter).
    /// </summary>
    public async Task ReleaseUncommittedAsync(CancellationToken ct)
    {
        await using (var fence = new NpgsqlCommand("select pg_advisory_lock(@key), pg_advisory_unlock(@key)", _connection) { CommandTimeout = 0 })
        {
            fence.Parameters.AddWithValue("key", FenceKey);
            await fence.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        // Before the first schema creation (and in `--reset`, which drops it) there is no sequence to set back.
        await using (var exists = new NpgsqlCommand($"select to_regclass('{LedgerStore.Schema}.mt_events_sequence') is not null and to_regclass('{LedgerStore.Schema}.mt_events') is not null", _connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
            {
                return;
            }
        }

        // setval(s, 1, false) makes the next draw 1: an empty log starts again from the beginning.
        await using var rewind = new NpgsqlCommand(
            $"select setval('{LedgerStore.Schema}.mt_events_sequence', greatest(m, 1), m > 0) " +
            $"from (select coalesce(max(seq_id), 0) as m from {LedgerStore.Schema}.mt_events) s", _connection);
        await rewind.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Makes a Marten session's <c>SaveChanges</c> hold the fence for its transaction, as an import batch does:
    /// queue it before the first append. A commit can land after its writer died only if it was sent, and it is sent
    /// only after every earlier statement answered, so the fence is held by then and the next writer waits for it.</summary>
    public static void HoldFence(Marten.IDocumentSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.QueueSqlCommand(FenceStatement);
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
