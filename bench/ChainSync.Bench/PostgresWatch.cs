using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace Bittensor.Ledger.ChainSync.Bench;

/// <summary>
/// While a sync runs: the CPU time of the PostgreSQL backends serving its database (polled from /proc, so only when the
/// server runs on this machine, as the ledger's private cluster does) and the commits the database counted.
/// </summary>
internal sealed class PostgresWatch : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    // Per backend: its CPU ticks when the watch started (0 for a backend that opened later, so all of its CPU counts)
    // and when it was last seen.
    private readonly ConcurrentDictionary<int, (long Baseline, long Last)> _backends = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly long _commitsBefore;
    private Task _poll = Task.CompletedTask;

    private PostgresWatch(NpgsqlDataSource dataSource, long commitsBefore)
    {
        _dataSource = dataSource;
        _commitsBefore = commitsBefore;
    }

    public static async Task<PostgresWatch> StartAsync(NpgsqlDataSource dataSource)
    {
        var watch = new PostgresWatch(dataSource, await CommitsAsync(dataSource));
        // Backends already open (an idle pooled connection of the caller's, or of an earlier phase) count only the CPU
        // they spend from now on: counting their whole life put the raw COPY's backend into every later phase.
        await watch.SampleAsync(existing: true, CancellationToken.None);
        watch._poll = watch.PollAsync();
        return watch;
    }

    /// <summary>CPU of the backends serving the database since the watch started: in full for a backend that opened
    /// since, from the start for one that was already open. (A backend that opened and closed between two polls, 250 ms
    /// apart, is missed.)</summary>
    public TimeSpan BackendCpu => TimeSpan.FromSeconds(_backends.Values.Sum(b => b.Last - b.Baseline) / 100.0);

    public int Backends => _backends.Count;

    /// <summary>Stops polling; the commits the database counted since the start.</summary>
    public async Task<long> StopAsync()
    {
        await _stop.CancelAsync();
        await _poll;
        // The statistics collector reports a backend's counts when it goes idle: give it a moment.
        await Task.Delay(1000);
        return await CommitsAsync(_dataSource) - _commitsBefore;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _poll;
        _stop.Dispose();
    }

    private async Task PollAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await SampleAsync(existing: false, _stop.Token);
                await Task.Delay(250, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SampleAsync(bool existing, CancellationToken ct)
    {
        // Every backend of the database, this poll's own included: a pooled connection polls one time and COPYs the
        // next, so excluding the polling backend would leave one that existed at the start out of the baseline. The
        // polls' own CPU (a catalog query every 250 ms) is counted and negligible.
        await using var cmd = _dataSource.CreateCommand("select pid from pg_stat_activity where datname = current_database()");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var pid = reader.GetInt32(0);
            if (LedgerRun.CpuTicks(pid) is { } ticks)
            {
                _backends.AddOrUpdate(pid, (existing ? ticks : 0, ticks), (_, b) => (b.Baseline, ticks));
            }
        }
    }

    private static async Task<long> CommitsAsync(NpgsqlDataSource dataSource)
    {
        await using var cmd = dataSource.CreateCommand("select xact_commit from pg_stat_database where datname = current_database()");
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
