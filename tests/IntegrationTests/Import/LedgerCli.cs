using System.CommandLine;
using Bittensor.Ledger.Cli.Import;
using Bittensor.Ledger.Cli.Schema;
using Bittensor.Ledger.Cli.Status;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>Runs the ledger's commands in-process, as the executable would, capturing stdout and stderr.</summary>
internal static class LedgerCli
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var root = new RootCommand { Subcommands = { ImportCommand.Create(), StatusCommand.Create(), SchemaCommand.Create() } };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return new Result(exitCode, output.ToString(), error.ToString());
    }
}
