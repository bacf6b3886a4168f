using System.Diagnostics;
using System.Text.Json;
using Bittensor.Ledger.IntegrationTests.Import;
using Bittensor.Ledger.IntegrationTests.Infrastructure;

namespace Bittensor.Ledger.IntegrationTests.Bench;

/// <summary>
/// bench/MainnetDay, scaled down to 2 subnets × 400 blocks, run once as its own process against the test server:
/// every phase runs, the import appends every generated line and computes every epoch, the rebuild leaves the
/// digests as the import left them, verify holds on every epoch, the audit queries find rows, and the raw COPY
/// copied the same lines. Nothing here is about time.
/// </summary>
public sealed class MainnetDaySmokeTests
{
    [Fact]
    public async Task TinyMainnetDay_RunsEveryPhase_RebuildKeepsTheDigests_VerifyHolds()
    {
        var admin = await PostgresServer.GetConnectionStringAsync();
        var database = PostgresServer.DatabaseNameFor(nameof(MainnetDaySmokeTests));
        var dir = Directory.CreateTempSubdirectory("ledger-mainnet-day-smoke-");
        try
        {
            var reportFile = Path.Combine(dir.FullName, "report.json");
            var (exitCode, output, error) = await RunBenchAsync(
                "--subnets", "2", "--blocks", "400", "--seed", "42", "--query-runs", "2",
                "--connection", admin, "--database", database, "--dir", dir.FullName, "--json", reportFile);

            exitCode.ShouldBe(0, output + error);
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(reportFile, TestContext.Current.CancellationToken));
            var r = report.RootElement;
            var generated = Path.Combine(dir.FullName, "mainnet-day-2x400-seed42.ndjson");
            var lines = File.ReadLines(generated).Count(l => l.Length > 0);
            var epochs = File.ReadLines(generated).Count(l => l.StartsWith("{\"type\":\"epoch_triggered\"", StringComparison.Ordinal));
            epochs.ShouldBeGreaterThan(0);
            r.GetProperty("File").GetProperty("Events").GetInt64().ShouldBe(lines);
            r.GetProperty("File").GetProperty("Epochs").GetInt64().ShouldBe(epochs);

            var phases = r.GetProperty("Phases").EnumerateArray().ToDictionary(p => p.GetProperty("Name").GetString()!);
            phases.Keys.ShouldBe(["generate", "raw COPY", "raw COPY (lz4)", "import", "catch-up", "rebuild --all", "verify", "audit queries"]);
            phases["raw COPY"].GetProperty("Events").GetInt64().ShouldBe(lines);
            phases["raw COPY (lz4)"].GetProperty("Events").GetInt64().ShouldBe(lines);
            phases["import"].GetProperty("Events").GetInt64().ShouldBe(lines);
            phases["import"].GetProperty("Epochs").GetInt64().ShouldBe(epochs);
            phases["import"].GetProperty("Detail").GetString()!.ShouldContain("import trace");
            phases["import"].GetProperty("DatabaseBytes").GetInt64().ShouldBeGreaterThan(0);
            phases["import"].GetProperty("PeakRssMb").GetDouble().ShouldBeGreaterThan(0);
            // Each computed epoch stores epoch_completed and subnet_emission_posted beside the imported lines.
            phases["catch-up"].GetProperty("Events").GetInt64().ShouldBe(lines + (2 * epochs));
            phases["verify"].GetProperty("Events").GetInt64().ShouldBe(lines + (2 * epochs));

            r.GetProperty("DigestsEqual").GetBoolean().ShouldBeTrue();
            var afterImport = r.GetProperty("DigestAfterImport").EnumerateArray().ToDictionary(d => d.GetProperty("Name").GetString()!, d => d.GetProperty("Digest").GetString());
            var afterRebuild = r.GetProperty("DigestAfterRebuild").EnumerateArray().ToDictionary(d => d.GetProperty("Name").GetString()!, d => d.GetProperty("Digest").GetString());
            afterImport.Keys.ShouldContain("emissions");
            afterRebuild.ShouldBe(afterImport);
            r.GetProperty("DigestAfterRebuild").EnumerateArray().Single(d => d.GetProperty("Name").GetString() == "emissions")
                .GetProperty("Rows").GetInt64().ShouldBeGreaterThan(0);

            r.GetProperty("VerifyHolds").GetBoolean().ShouldBeTrue();
            r.GetProperty("VerifyEpochs").GetInt64().ShouldBe(epochs);
            r.GetProperty("VerifyEpochsMatching").GetInt64().ShouldBe(epochs);

            var queries = r.GetProperty("Queries").EnumerateArray().ToDictionary(q => q.GetProperty("Name").GetString()!, q => q.GetProperty("Rows").GetInt32());
            queries.Count.ShouldBe(7);
            queries["hotkey emission, all epochs"].ShouldBeGreaterThan(0);
            queries["metagraph subnet 1 at mid-day"].ShouldBeGreaterThan(0);
            queries["coldkey stake now"].ShouldBeGreaterThan(0);
            output.ShouldContain("| phase | wall s |");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunBenchAsync(params string[] args)
    {
        var root = ExecutableTests.RepositoryRoot();
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var bench = Path.Combine(root, "bench", "MainnetDay", "bin", tfm.Parent!.Name, tfm.Name, "Bittensor.Ledger.MainnetDay.Bench.dll");
        File.Exists(bench).ShouldBeTrue($"{bench} is built by this test project's reference to bench/MainnetDay");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(bench);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("LEDGER_CONNECTION");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
