using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bittensor.Ledger.LocalPostgres;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Infrastructure;

/// <summary>
/// The one PostgreSQL server of this test process, started on first use: <c>LEDGER_TEST_POSTGRES</c> when set, else
/// Testcontainers when a Docker engine answers, else a throwaway cluster under <c>/tmp/ledger-test-pg-{pid}-*</c>
/// (fsync off) that is stopped and deleted when the process exits. Clusters left behind by crashed runs (their pid
/// is gone) are reaped before a new one starts. Give each test class its own database with
/// <see cref="CreateDatabaseAsync"/>.
/// </summary>
public static partial class PostgresServer
{
    public const string EnvironmentVariable = "LEDGER_TEST_POSTGRES";
    public const string ClusterDirectoryPrefix = "ledger-test-pg-";

    private static readonly Lazy<Task<LedgerDatabase>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Connection string to the server's maintenance database (<c>postgres</c> for clusters, <c>ledger</c> for containers).</summary>
    public static async Task<string> GetConnectionStringAsync() => (await Server.Value.ConfigureAwait(false)).ConnectionString;

    public static async Task<PostgresSource> GetSourceAsync() => (await Server.Value.ConfigureAwait(false)).Source;

    /// <summary>
    /// Drops <paramref name="name"/> if a previous run left it, creates it empty and returns a connection string to
    /// it. Pass a name unique to the test class (e.g. <c>nameof(MyTests)</c>); it is lower-cased and prefixed with
    /// <c>t_</c>. A database per class isolates Marten completely, since Marten creates its own schemas.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string name)
    {
        var database = DatabaseNameFor(name);
        var admin = await GetConnectionStringAsync().ConfigureAwait(false);
        // An explicit LEDGER_TEST_POSTGRES must therefore name a role allowed to create databases.
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync().ConfigureAwait(false);
        var quoted = "\"" + database + "\""; // DatabaseNameFor leaves only [a-z0-9_].
        await using (var drop = new NpgsqlCommand($"drop database if exists {quoted} with (force)", connection))
        {
            await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand($"create database {quoted}", connection))
        {
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        // The drop killed any pooled connection to the old database of that name: do not hand those out again.
        await using (var stale = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(stale);
        }

        return connectionString;
    }

    /// <summary>The database name <see cref="CreateDatabaseAsync"/> uses for <paramref name="name"/>.</summary>
    public static string DatabaseNameFor(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var cleaned = "t_" + NotIdentifierCharacters().Replace(name.ToLowerInvariant(), "_");
        return cleaned.Length <= 63 ? cleaned : cleaned[..63];
    }

    private static async Task<LedgerDatabase> StartAsync()
    {
        ReapLeftoverClusters();
        var clusterDirectory = Path.Combine(Path.GetTempPath(),
            $"{ClusterDirectoryPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..48]);
        var options = new PostgresLocatorOptions
        {
            ClusterDirectory = clusterDirectory,
            Profile = LocalClusterProfile.Throwaway,
            // Tests create their own databases; the cluster's default one is only the maintenance entry point.
            DatabaseName = "postgres",
            UseContainer = true,
            ReuseContainer = false,
        };
        var database = await PostgresLocator.ResolveAsync(
            Environment.GetEnvironmentVariable(EnvironmentVariable), options, log: null, CancellationToken.None).ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Shutdown(database);
        return database;
    }

    private static void Shutdown(LedgerDatabase database)
    {
        NpgsqlConnection.ClearAllPools();
        if (database.Cluster is { } cluster)
        {
            // Synchronous: nothing awaited in a ProcessExit handler is guaranteed to finish.
            LocalCluster.StopAndDeleteNow(cluster.ClusterDirectory, binDirectory: null);
        }
        else
        {
            database.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Stops and deletes <c>/tmp/ledger-test-pg-{pid}-*</c> clusters whose test process no longer exists.</summary>
    private static void ReapLeftoverClusters()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), ClusterDirectoryPrefix + "*"))
        {
            var match = OwnerPid().Match(Path.GetFileName(directory));
            if (match.Success && !IsAlive(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)))
            {
                LocalCluster.StopAndDeleteNow(directory, binDirectory: null);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex("^" + ClusterDirectoryPrefix + "([0-9]+)-")]
    private static partial Regex OwnerPid();

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NotIdentifierCharacters();
}
