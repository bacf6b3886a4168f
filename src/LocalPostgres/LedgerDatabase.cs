namespace Bittensor.Ledger.LocalPostgres;

/// <summary>Where a <see cref="LedgerDatabase"/> came from, in the order the locator tries them.</summary>
public enum PostgresSource
{
    Explicit,
    Container,
    LocalCluster,
}

/// <summary>
/// A PostgreSQL database the ledger can use. Disposing it stops only what was started as throwaway
/// (a test cluster or a non-reused container); an explicit server and the CLI's durable cluster are left running,
/// so that the next <c>ledger</c> invocation connects to the same server.
/// </summary>
public sealed class LedgerDatabase : IAsyncDisposable
{
    private readonly Func<ValueTask>? _stop;
    private int _disposed;

    internal LedgerDatabase(string connectionString, PostgresSource source, LocalCluster? cluster, Func<ValueTask>? stop)
    {
        ConnectionString = connectionString;
        Source = source;
        Cluster = cluster;
        _stop = stop;
    }

    public string ConnectionString { get; }

    public PostgresSource Source { get; }

    /// <summary>The private cluster behind this database, when <see cref="Source"/> is <see cref="PostgresSource.LocalCluster"/>.</summary>
    public LocalCluster? Cluster { get; }

    /// <summary>True when disposing stops and deletes the server (test clusters, throwaway containers).</summary>
    public bool StopsOnDispose => _stop is not null;

    public static LedgerDatabase FromConnectionString(string connectionString) =>
        new(connectionString, PostgresSource.Explicit, cluster: null, stop: null);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _stop is not null)
        {
            await _stop().ConfigureAwait(false);
        }
    }
}
