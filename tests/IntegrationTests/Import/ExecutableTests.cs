using System.Diagnostics;
using Bittensor.Ledger.IntegrationTests.Infrastructure;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>Once through the built `ledger` executable, as a user runs it: import the committed sample, then status.</summary>
public sealed class ExecutableTests
{
    [Fact]
    public async Task ImportThenStatus_ThroughTheExecutable()
    {
        var db = await PostgresServer.CreateDatabaseAsync("exe_import");
        var sample = Path.Combine(RepositoryRoot(), "samples", "sample-chain.ndjson");
        var lines = File.ReadLines(sample).Count(l => !string.IsNullOrWhiteSpace(l));
        var epochs = File.ReadLines(sample).Count(l => l.Contains("\"type\":\"epoch_triggered\"", StringComparison.Ordinal));

        var import = await RunAsync("import", sample, "--connection", db);
        var status = await RunAsync("status", "--json", "--connection", db);

        import.ExitCode.ShouldBe(0, import.Error);
        import.Output.ShouldContain($"appended {lines}, already present 0, rejected 0, epochs run {epochs}");
        status.ExitCode.ShouldBe(0, status.Error);
        // Each triggered epoch stores epoch_completed and subnet_emission_posted beside the imported facts.
        status.Output.ShouldContain($"\"events\": {lines + (2 * epochs)}");
    }

    [Fact]
    public async Task SimulateThenVerify_ThroughTheExecutable()
    {
        var db = await PostgresServer.CreateDatabaseAsync("exe_simulate");

        var simulate = await RunAsync("simulate", "--blocks", "150", "--tempo", "20", "--neurons", "16", "--validators", "4", "--connection", db);
        var verify = await RunAsync("verify", "--json", "--connection", db);
        var again = await RunAsync("simulate", "--blocks", "10", "--connection", db);
        var bad = await RunAsync("simulate", "--validators", "0", "--connection", db);
        var sample = Path.Combine(RepositoryRoot(), "samples", "sample-chain.ndjson");
        var onTop = await RunAsync("import", sample, "--connection", db);
        var reset = await RunAsync("import", "--reset", sample, "--connection", db);

        simulate.ExitCode.ShouldBe(0, simulate.Error);
        simulate.Output.ShouldContain("per-uid emission + dust = drained pot");
        simulate.Output.ShouldNotContain("BROKEN");
        verify.ExitCode.ShouldBe(0, verify.Error);
        verify.Output.ShouldContain("\"holds\": true");
        again.ExitCode.ShouldBe(2);
        again.Error.ShouldContain("pass --reset");
        bad.ExitCode.ShouldBe(2);
        bad.Error.ShouldContain("--validators: must be 1..neurons");
        onTop.ExitCode.ShouldBe(2);
        onTop.Error.ShouldContain("sample-chain.ndjson:2: block: block 1 is earlier than the last applied block");
        reset.ExitCode.ShouldBe(0, reset.Error);
        reset.Error.ShouldContain("--reset: dropping the");
        reset.Output.ShouldContain("already present 0, rejected 0");
    }

    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ledger.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bittensor.Ledger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bittensor.Ledger.sln not found above " + AppContext.BaseDirectory);
    }
}
