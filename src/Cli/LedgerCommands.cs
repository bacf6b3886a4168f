using System.CommandLine;

namespace Bittensor.Ledger.Cli;

/// <summary>Every top-level command of the `ledger` executable; each lives in its own folder.</summary>
internal static class LedgerCommands
{
    public static IEnumerable<Command> All()
    {
        yield return Schema.SchemaCommand.Create();
    }
}
