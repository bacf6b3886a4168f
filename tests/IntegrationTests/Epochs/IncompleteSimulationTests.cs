using System.Diagnostics;
using Bittensor.Ledger.IntegrationTests.Import;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Epochs;

/// <summary>Issue 13, item 6: a simulation records that it completed, so one killed half-way (kill -9) leaves a ledger
/// that `status` and `verify` call incomplete instead of sound. Through the built executable.</summary>
public sealed class IncompleteSimulationTests
{
    [Fact]
    public async Task Issue13_KilledSimulation_IsIncompleteInStatusAndVerify_UntilASimulationCompletes()
    {
        var db = await PostgresServer.CreateDatabaseAsync("incomplete_simulation");

        await KillOnceEventsAreStoredAsync("simulate", "--blocks", "20000", "--tempo", "20", "--neurons", "16", "--validators", "4", "--connection", db);
        var status = await ExecutableTests.RunAsync("status", "--json", "--connection", db);
        var table = await ExecutableTests.RunAsync("status", "--connection", db);
        var verify = await ExecutableTests.RunAsync("verify", "--json", "--connection", db);
        var again = await ExecutableTests.RunAsync("simulate", "--reset", "--blocks", "150", "--tempo", "20", "--neurons", "16", "--validators", "4", "--connection", db);
        var statusAfter = await ExecutableTests.RunAsync("status", "--json", "--connection", db);
        var tableAfter = await ExecutableTests.RunAsync("status", "--connection", db);
        var verifyAfter = await ExecutableTests.RunAsync("verify", "--connection", db);

        status.ExitCode.ShouldBe(0, status.Error);
        status.Output.ShouldContain("\"complete\": false");
        status.Output.ShouldContain("\"kind\": \"simulate\"");
        status.Output.ShouldContain("\"description\": \"20000 blocks, 3 subnets x 16 neurons (4 validators), seed 42, Dynamic schedule\"");
        table.Output.ShouldContain("INCOMPLETE: `ledger simulate` (20000 blocks, 3 subnets x 16 neurons (4 validators), seed 42, Dynamic schedule) started ");
        table.Output.ShouldContain("did not complete");
        // What was stored before the kill holds; the ledger is still not whole.
        verify.ExitCode.ShouldBe(1, verify.Output);
        verify.Output.ShouldContain("\"holds\": true");
        verify.Output.ShouldContain("\"complete\": false");
        verify.Error.ShouldContain("verify: the ledger is incomplete: `ledger simulate` (20000 blocks");
        again.ExitCode.ShouldBe(0, again.Error);
        statusAfter.Output.ShouldContain("\"complete\": true");
        statusAfter.Output.ShouldContain("\"incomplete\": []");
        statusAfter.Output.ShouldContain("\"description\": \"150 blocks, 3 subnets x 16 neurons (4 validators), seed 42, Dynamic schedule\"");
        statusAfter.Output.ShouldContain("\"completed_at\": \"");
        tableAfter.Output.ShouldContain("`ledger simulate` (150 blocks, 3 subnets x 16 neurons (4 validators), seed 42, Dynamic schedule) started ");
        tableAfter.Output.ShouldContain(", completed ");
        tableAfter.Output.ShouldNotContain("INCOMPLETE");
        verifyAfter.ExitCode.ShouldBe(0, verifyAfter.Error);
        verifyAfter.Output.ShouldContain("the ledger holds");
        verifyAfter.Output.ShouldNotContain("INCOMPLETE");
    }

    /// <summary>Runs the executable and kills it (kill -9) once it has committed some events and is still running.</summary>
    private static async Task KillOnceEventsAreStoredAsync(params string[] args)
    {
        var ct = TestContext.Current.CancellationToken;
        var db = args[^1];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ledger.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        await using var poll = new NpgsqlConnection(db);
        await poll.OpenAsync(ct);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var exists = new NpgsqlCommand("select to_regclass('ledger.mt_events') is not null", poll);
            await using var count = new NpgsqlCommand("select count(*) from (select 1 from ledger.mt_events limit 1000) e", poll);
            if ((bool)(await exists.ExecuteScalarAsync(ct))! && (long)(await count.ExecuteScalarAsync(ct))! >= 1000)
            {
                process.Kill(entireProcessTree: true);
                break;
            }

            if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(ct);
                Assert.Fail($"the simulation ended before it could be killed (exit {process.ExitCode}): {await output}{await error}");
            }

            await Task.Delay(5, ct);
        }

        await process.WaitForExitAsync(ct);
        await Task.WhenAll(output, error);
        process.ExitCode.ShouldNotBe(0);
    }
}
