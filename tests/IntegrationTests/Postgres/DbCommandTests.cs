using System.CommandLine;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.IntegrationTests.Infrastructure;

namespace Bittensor.Ledger.IntegrationTests.Postgres;

public sealed class DbCommandTests : IDisposable
{
    private readonly string _clusterDirectory = Path.Combine(Path.GetTempPath(), $"{PostgresServer.ClusterDirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);

    public void Dispose() => LocalCluster.StopAndDeleteNow(_clusterDirectory, binDirectory: null);

    [Fact]
    public async Task StartStatusStop_ManageTheClusterInTheGivenDirectory()
    {
        var notCreated = await RunAsync("db", "status", "--dir", _clusterDirectory);
        notCreated.ExitCode.ShouldBe(DbCommand.NotRunningExitCode);
        notCreated.Output.ShouldContain("not created");

        var started = await RunAsync("db", "start", "--dir", _clusterDirectory);
        started.ExitCode.ShouldBe(0);
        started.Output.ShouldContain("state:      running");
        started.Output.ShouldContain("Database=ledger");

        var status = await RunAsync("db", "status", "--dir", _clusterDirectory);
        status.ExitCode.ShouldBe(0);
        status.Output.ShouldContain($"data:       {Path.Combine(_clusterDirectory, "data")}");
        status.Output.ShouldContain(LineStartingWith(started.Output, "port:"));

        var stopped = await RunAsync("db", "stop", "--dir", _clusterDirectory);
        stopped.ExitCode.ShouldBe(0);
        stopped.Output.ShouldContain("Stopped");

        var after = await RunAsync("db", "status", "--dir", _clusterDirectory);
        after.ExitCode.ShouldBe(DbCommand.NotRunningExitCode);
        after.Output.ShouldContain("state:      stopped");
    }

    [Fact]
    public async Task Stop_WhenNotRunning_SaysSo()
    {
        var result = await RunAsync("db", "stop", "--dir", _clusterDirectory);

        result.ExitCode.ShouldBe(0);
        result.Output.ShouldContain("was not running");
    }

    [Fact]
    public async Task ConnectionOption_ExplicitValue_IsUsedAsIs()
    {
        var explicitConnection = await PostgresServer.GetConnectionStringAsync();
        var option = ConnectionOption.Create();
        var command = new RootCommand { Options = { option } };
        var parsed = command.Parse(["--connection", explicitConnection]);

        await using var database = await ConnectionOption.ResolveAsync(
            parsed, PostgresLocatorOptions.ForCli(_clusterDirectory), TestContext.Current.CancellationToken);

        database.Source.ShouldBe(PostgresSource.Explicit);
        database.ConnectionString.ShouldBe(explicitConnection);
        Directory.Exists(_clusterDirectory).ShouldBeFalse();
    }

    private static string LineStartingWith(string output, string prefix) =>
        output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal)).TrimEnd();

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(DbCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exitCode, output + error.ToString());
    }
}
