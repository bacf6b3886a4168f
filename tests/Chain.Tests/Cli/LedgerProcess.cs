using System.Diagnostics;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Cli;

/// <summary>Runs the built <c>ledger</c> executable (ledger.dll beside the tests) as a process, as a user would.</summary>
internal static class LedgerProcess
{
    /// <summary>
    /// The Cli project's own build of ledger.dll (same configuration as these tests), run with its own deps and runtime
    /// config: the copy beside the tests lacks the packages this test project takes from the ASP.NET shared framework
    /// (which it references for the replay node), such as Microsoft.Extensions.DependencyInjection.Abstractions.
    /// </summary>
    public static string Executable { get; } = Find();

    private static string Find()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = tfm.Parent?.Name ?? "Release";
        for (var dir = tfm; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Cli", "bin", configuration, tfm.Name, "ledger.dll");
            if (File.Exists(Path.Combine(dir.FullName, "Bittensor.Ledger.sln")) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "ledger.dll");
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Executable);
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
