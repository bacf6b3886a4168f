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
    private readonly ConcurrentDictionary<int, (long First, long Last)> _backends = new();
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
        watch._poll = watch.PollAsync();
        return watch;
    }

    /// <summary>CPU of the backends seen (from when each was first seen: a backend opened before is counted in full).</summary>
    public TimeSpan BackendCpu => TimeSpan.FromSeconds(_backends.Values.Sum(b => b.Last) / 100.0);

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
                await using (var cmd = _dataSource.CreateCommand("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"))
                await using (var reader = await cmd.ExecuteReaderAsync(_stop.Token))
                {
                    while (await reader.ReadAsync(_stop.Token))
                    {
                        var pid = reader.GetInt32(0);
                        if (LedgerRun.CpuTicks(pid) is { } ticks)
                        {
                            _backends.AddOrUpdate(pid, (ticks, ticks), (_, b) => (b.First, ticks));
                        }
                    }
                }

                await Task.Delay(250, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<long> CommitsAsync(NpgsqlDataSource dataSource)
    {
        await using var cmd = dataSource.CreateCommand("select xact_commit from pg_stat_database where datname = current_database()");
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
