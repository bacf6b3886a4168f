namespace Bittensor.Ledger.LocalPostgres;

/// <summary>How the locator may find or start PostgreSQL when no connection string is given.</summary>
public sealed record PostgresLocatorOptions
{
    /// <summary>Directory of the private cluster: it holds <c>data/</c> (PGDATA) and <c>cluster.json</c> (port, password).</summary>
    public required string ClusterDirectory { get; init; }

    /// <summary>Durable for the CLI (kept running, survives restarts), Throwaway for tests (fsync off, deleted on dispose).</summary>
    public LocalClusterProfile Profile { get; init; } = LocalClusterProfile.Durable;

    /// <summary>The database created in a private cluster or container.</summary>
    public string DatabaseName { get; init; } = "ledger";

    /// <summary>Try Testcontainers.PostgreSql when a Docker engine answers.</summary>
    public bool UseContainer { get; init; } = true;

    /// <summary>
    /// Keep the container between processes (Testcontainers reuse), so that the CLI's data survives one command.
    /// Off for tests, whose container is removed on dispose.
    /// </summary>
    public bool ReuseContainer { get; init; }

    public string ContainerImage { get; init; } = "postgres:15-alpine";

    /// <summary>
    /// Use the private cluster before Docker when it was already initialised: the CLI must keep writing to the
    /// database the user started with <c>ledger db start</c> even if a Docker engine shows up later.
    /// </summary>
    public bool PreferExistingCluster { get; init; }

    /// <summary>A PostgreSQL bin directory to use instead of searching PATH, pg_config and /usr/lib/postgresql.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>Bounds a container start (image pull included) so a broken Docker setup falls back instead of hanging.</summary>
    public TimeSpan ContainerStartTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The CLI's defaults: durable cluster under <see cref="DefaultCliClusterDirectory"/>, reused container.</summary>
    public static PostgresLocatorOptions ForCli(string? clusterDirectory = null) => new()
    {
        ClusterDirectory = clusterDirectory ?? DefaultCliClusterDirectory(),
        Profile = LocalClusterProfile.Durable,
        ReuseContainer = true,
        PreferExistingCluster = true,
        UseContainer = !string.Equals(Environment.GetEnvironmentVariable("LEDGER_USE_DOCKER"), "false", StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>
    /// <c>$LEDGER_HOME/pg</c> when set; as root <c>/var/lib/bittensor-ledger/pg</c> (the postgres user cannot traverse
    /// /root); otherwise <c>$XDG_DATA_HOME/bittensor-ledger/pg</c>, by default <c>~/.local/share/bittensor-ledger/pg</c>.
    /// </summary>
    public static string DefaultCliClusterDirectory()
    {
        var home = Environment.GetEnvironmentVariable("LEDGER_HOME");
        if (!string.IsNullOrWhiteSpace(home))
        {
            return Path.Combine(Path.GetFullPath(home), "pg");
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/var/lib/bittensor-ledger/pg";
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var dataHome = string.IsNullOrWhiteSpace(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(dataHome, "bittensor-ledger", "pg");
    }
}
