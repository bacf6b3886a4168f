using System.Diagnostics;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Cli;

/// <summary>Runs the built <c>ledger</c> executable (ledger.dll beside the tests) as a process, as a user would.</summary>
internal static class LedgerProcess
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ledger.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Never read a developer's chain URL or cache from the environment.
        start.Environment.Remove("LEDGER_CHAIN_URL");
        start.Environment.Remove("LEDGER_CACHE_DIR");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
