using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Postgres;

public sealed class PostgresLocatorTests : IDisposable
{
    private readonly string _clusterDirectory = Path.Combine(Path.GetTempPath(), $"{PostgresServer.ClusterDirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);

    public void Dispose() => LocalCluster.StopAndDeleteNow(_clusterDirectory, binDirectory: null);

    [Fact]
    public async Task ThrowawayCluster_AnswersQueries_AndIsDeletedOnDispose()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await PostgresLocator.ResolveAsync(null, ThrowawayOptions(), log: null, ct);
        await using (database)
        {
            database.Source.ShouldBe(PostgresSource.LocalCluster);
            database.StopsOnDispose.ShouldBeTrue();
            (await ScalarAsync(database.ConnectionString, "select 1", ct)).ShouldBe(1);
            (await ScalarAsync(database.ConnectionString, "select current_database()", ct)).ShouldBe("ledger");
            (await ScalarAsync(database.ConnectionString, "show fsync", ct)).ShouldBe("off");
            (await ScalarAsync(database.ConnectionString, "show listen_addresses", ct)).ShouldBe("127.0.0.1");
        }

        Directory.Exists(_clusterDirectory).ShouldBeFalse();
    }

    [Fact]
    public async Task ExplicitConnection_WinsOverEverythingElse()
    {
        var ct = TestContext.Current.CancellationToken;
        var explicitConnection = await PostgresServer.GetConnectionStringAsync();

        await using var database = await PostgresLocator.ResolveAsync(explicitConnection, ThrowawayOptions(), log: null, ct);

        database.Source.ShouldBe(PostgresSource.Explicit);
        database.ConnectionString.ShouldBe(explicitConnection);
        database.StopsOnDispose.ShouldBeFalse();
        Directory.Exists(_clusterDirectory).ShouldBeFalse();
        (await ScalarAsync(database.ConnectionString, "select 1", ct)).ShouldBe(1);
    }

    [Fact]
    public async Task MalformedExplicitConnection_IsRejectedBeforeAnyFallback()
    {
        await Should.ThrowAsync<ArgumentException>(() =>
            PostgresLocator.ResolveAsync("Host=127.0.0.1;NoSuchKeyword=1", ThrowawayOptions(), log: null, TestContext.Current.CancellationToken));

        Directory.Exists(_clusterDirectory).ShouldBeFalse();
    }

    [Fact]
    public async Task DurableCluster_SecondResolve_ReusesTheRunningServer()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = DurableOptions();
        var log = new List<string>();

        await using var first = await PostgresLocator.ResolveAsync(null, options, new ListProgress(log), ct);
        var startedAt = await ScalarAsync(first.ConnectionString, "select pg_postmaster_start_time()", ct);
        await first.DisposeAsync();
        await using var second = await PostgresLocator.ResolveAsync(null, options, new ListProgress(log), ct);

        second.Source.ShouldBe(PostgresSource.LocalCluster);
        second.StopsOnDispose.ShouldBeFalse();
        second.ConnectionString.ShouldBe(first.ConnectionString);
        (await ScalarAsync(second.ConnectionString, "select pg_postmaster_start_time()", ct)).ShouldBe(startedAt);
        log.Count(l => l.StartsWith("Creating", StringComparison.Ordinal)).ShouldBe(1);
        log.Count(l => l.StartsWith("Starting PostgreSQL", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task DurableCluster_KeepsCrashSafetyDefaults()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await PostgresLocator.ResolveAsync(null, DurableOptions(), log: null, ct);

        (await ScalarAsync(database.ConnectionString, "show fsync", ct)).ShouldBe("on");
        (await ScalarAsync(database.ConnectionString, "show synchronous_commit", ct)).ShouldBe("on");
        (await ScalarAsync(database.ConnectionString, "show full_page_writes", ct)).ShouldBe("on");
    }

    [Fact]
    public async Task StoppedCluster_IsStartedAgainByResolve_WithItsData()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = DurableOptions();
        var cluster = new LocalCluster(_clusterDirectory);
        await using (var database = await PostgresLocator.ResolveAsync(null, options, log: null, ct))
        {
            await ScalarAsync(database.ConnectionString, "create table kept(id int); insert into kept values (42); select 1", ct);
        }

        (await cluster.StopAsync(ct)).ShouldBeTrue();
        (await cluster.GetStatusAsync(ct: ct)).Running.ShouldBeFalse();

        await using var restarted = await PostgresLocator.ResolveAsync(null, options, log: null, ct);

        (await cluster.GetStatusAsync(ct: ct)).Running.ShouldBeTrue();
        (await ScalarAsync(restarted.ConnectionString, "select id from kept", ct)).ShouldBe(42);
    }

    [Fact]
    public async Task Status_ReportsNotCreated_ThenRunning_ThenStopped()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = new LocalCluster(_clusterDirectory);

        var before = await cluster.GetStatusAsync(ct: ct);
        before.Initialized.ShouldBeFalse();
        before.Running.ShouldBeFalse();
        before.ConnectionString.ShouldBeNull();

        var started = await cluster.StartAsync(ct: ct);
        var running = await cluster.GetStatusAsync(ct: ct);
        running.Initialized.ShouldBeTrue();
        running.Running.ShouldBeTrue();
        running.Port.ShouldBe(started.Port);
        running.ConnectionString.ShouldBe(started.ConnectionString);
        running.DataDirectory.ShouldBe(Path.Combine(_clusterDirectory, "data"));

        (await cluster.StopAsync(ct)).ShouldBeTrue();
        var stopped = await cluster.GetStatusAsync(ct: ct);
        stopped.Initialized.ShouldBeTrue();
        stopped.Running.ShouldBeFalse();
        (await cluster.StopAsync(ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task NoBinariesAndNoDocker_SaysWhatToInstall()
    {
        var emptyBin = Directory.CreateTempSubdirectory("ledger-no-pg-bin-");
        try
        {
            var options = ThrowawayOptions() with { UseContainer = false, BinDirectory = emptyBin.FullName };

            var error = await Should.ThrowAsync<PostgresUnavailableException>(() =>
                PostgresLocator.ResolveAsync(null, options, log: null, TestContext.Current.CancellationToken));

            error.Message.ShouldContain("apt-get install postgresql");
            error.Message.ShouldContain("LEDGER_CONNECTION");
        }
        finally
        {
            emptyBin.Delete(recursive: true);
        }
    }

    private PostgresLocatorOptions ThrowawayOptions() => new()
    {
        ClusterDirectory = _clusterDirectory,
        Profile = LocalClusterProfile.Throwaway,
        UseContainer = false,
    };

    private PostgresLocatorOptions DurableOptions() => PostgresLocatorOptions.ForCli(_clusterDirectory) with { UseContainer = false };

    private static async Task<object?> ScalarAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }

    private sealed class ListProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
