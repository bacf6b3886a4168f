using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Bittensor.Ledger.LocalPostgres;

/// <summary>
/// Finds or starts the PostgreSQL the ledger uses, in this order: an explicit connection string; Testcontainers when
/// a Docker engine answers; a private cluster from the PostgreSQL binaries on this machine. With
/// <see cref="PostgresLocatorOptions.PreferExistingCluster"/>, an already initialised private cluster comes before
/// Docker, so the CLI keeps using the database it started first.
/// </summary>
public static class PostgresLocator
{
    public static async Task<LedgerDatabase> ResolveAsync(
        string? explicitConnection,
        PostgresLocatorOptions options,
        IProgress<string>? log = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(explicitConnection))
        {
            // Fail here, naming the problem, rather than at the first query.
            _ = new NpgsqlConnectionStringBuilder(explicitConnection);
            return LedgerDatabase.FromConnectionString(explicitConnection);
        }

        var cluster = new LocalCluster(options.ClusterDirectory, options.Profile, options.BinDirectory);
        if (options.PreferExistingCluster && cluster.IsInitialized)
        {
            return await StartClusterAsync(cluster, options, log, ct).ConfigureAwait(false);
        }

        if (options.UseContainer)
        {
            var container = await TryStartContainerAsync(options, log, ct).ConfigureAwait(false);
            if (container is not null)
            {
                return container;
            }
        }

        return await StartClusterAsync(cluster, options, log, ct).ConfigureAwait(false);
    }

    private static async Task<LedgerDatabase> StartClusterAsync(
        LocalCluster cluster, PostgresLocatorOptions options, IProgress<string>? log, CancellationToken ct)
    {
        var status = await cluster.StartAsync(options.DatabaseName, log, ct).ConfigureAwait(false);
        Func<ValueTask>? stop = options.Profile == LocalClusterProfile.Throwaway
            ? () => new ValueTask(cluster.DeleteAsync(CancellationToken.None))
            : null;
        return new LedgerDatabase(status.ConnectionString!, PostgresSource.LocalCluster, cluster, stop);
    }

    /// <summary>
    /// Returns null when there is no Docker engine (Testcontainers throws <see cref="DockerUnavailableException"/> from
    /// Build() at once, before any timeout) or when the container cannot start (e.g. the image cannot be pulled).
    /// </summary>
    private static async Task<LedgerDatabase?> TryStartContainerAsync(PostgresLocatorOptions options, IProgress<string>? log, CancellationToken ct)
    {
        PostgreSqlContainer container;
        try
        {
            var builder = new PostgreSqlBuilder(options.ContainerImage).WithDatabase(options.DatabaseName);
            if (options.ReuseContainer)
            {
                builder = builder.WithReuse(true).WithLabel("bittensor-ledger", "cli");
            }

            container = builder.Build();
        }
        catch (DockerUnavailableException)
        {
            log?.Report("No Docker engine answers; using a private PostgreSQL cluster.");
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ContainerStartTimeout);
        try
        {
            log?.Report($"Starting {options.ContainerImage} with Testcontainers");
            await container.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log?.Report($"Docker answered but the container did not start ({e.GetType().Name}: {e.Message}); using a private PostgreSQL cluster.");
            await container.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        // A reused container outlives this process on purpose; a throwaway one is removed on dispose.
        Func<ValueTask>? stop = options.ReuseContainer ? null : container.DisposeAsync;
        return new LedgerDatabase(container.GetConnectionString(), PostgresSource.Container, cluster: null, stop);
    }
}
