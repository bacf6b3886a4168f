using System.CommandLine;
using Bittensor.Ledger.Cli.Db;

namespace Bittensor.Ledger.Cli;

/// <summary>Every top-level command of the `ledger` executable; each lives in its own folder.</summary>
internal static class LedgerCommands
{
    public static IEnumerable<Command> All()
    {
        yield return DbCommand.Create();
        yield return Import.ImportCommand.Create();
        yield return Status.StatusCommand.Create();
        yield return Schema.SchemaCommand.Create();
        yield return Samples.SampleCommand.Create();
        yield return Yuma.YumaCommand.Create();
        yield return Rebuild.RebuildCommand.Create();
        yield return Rebuild.RebuildCommand.CreateDigest();
        yield return Emissions.EmissionsCommand.Create();
        yield return Metagraph.MetagraphCommand.Create();
        yield return Supply.SupplyCommand.Create();
        yield return Stake.StakeCommand.Create();
        yield return Export.ExportCommand.Create();
        yield return Explain.ExplainCommand.Create();
        yield return Simulate.SimulateCommand.Create();
        yield return Verify.VerifyCommand.Create();
        yield return Replay.ReplayCommand.Create();
        yield return Chain.ChainCommand.Create();
        yield return Serve.ServeCommand.Create();
    }
}
