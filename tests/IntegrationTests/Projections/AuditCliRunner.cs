using System.CommandLine;
using Bittensor.Ledger.Cli.Emissions;
using Bittensor.Ledger.Cli.Explain;
using Bittensor.Ledger.Cli.Export;
using Bittensor.Ledger.Cli.Metagraph;
using Bittensor.Ledger.Cli.Rebuild;
using Bittensor.Ledger.Cli.Stake;
using Bittensor.Ledger.Cli.Supply;

namespace Bittensor.Ledger.IntegrationTests.Projections;

/// <summary>Runs the audit commands in-process, as the executable would, capturing stdout and stderr.</summary>
internal static class AuditCliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var root = new RootCommand
        {
            Subcommands =
            {
                RebuildCommand.Create(), RebuildCommand.CreateDigest(), EmissionsCommand.Create(), MetagraphCommand.Create(), ExplainCommand.Create(),
                SupplyCommand.Create(), StakeCommand.Create(), ExportCommand.Create(),
            },
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return new Result(exitCode, output.ToString(), error.ToString());
    }
}
