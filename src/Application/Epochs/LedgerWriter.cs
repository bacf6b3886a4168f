using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Store;
using Npgsql;

namespace Bittensor.Ledger.Application.Epochs;

/// <summary>
/// The one writer of a ledger database in this process: it holds the database's <see cref="WriterLock"/> for as long
/// as it holds the in-memory <see cref="LedgerEngine"/> folded from the store, so the engine can never be stale. Every
/// writer in the process (the consensus handler, the simulator) applies what it appends to this engine; a failed
/// append discards the engine, and the next use folds the store again. One per host (a singleton).
/// </summary>
public sealed class LedgerWriter(NpgsqlDataSource dataSource, StoredEvents stored, SchemaReady schema, LockWaits waits) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WriterLock? _lock;
    private LedgerEngine? _engine;

    /// <summary>Runs <paramref name="work"/> alone, with the engine folded from the store (first use or after a failure).</summary>
    public async Task<T> WithEngineAsync<T>(Func<LedgerEngine, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_engine is null)
            {
                await schema.EnsureAsync(ct).ConfigureAwait(false);
                if (_lock is null)
                {
                    _lock = await WriterLock.AcquireAsync(dataSource, ct, waits.Report).ConfigureAwait(false);
                }
                else
                {
                    // After a failed append, still holding the lock: give back the numbers it drew, so the log
                    // keeps no hole for them (WriterLock.ReleaseUncommittedAsync).
                    await _lock.ReleaseUncommittedAsync(ct).ConfigureAwait(false);
                }

                await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                _engine = await stored.FoldAsync(connection, ct).ConfigureAwait(false);
            }

            try
            {
                return await work(_engine).ConfigureAwait(false);
            }
            catch
            {
                // What the work applied in memory may not be in the store: fold again next time.
                _engine = null;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_lock is not null)
        {
            await _lock.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
