using System.CommandLine;
using Bittensor.Ledger.Cli;

var root = new RootCommand("ledger: an event-sourced ledger of Bittensor emissions, recomputed bit-exactly from the events.");
foreach (var command in LedgerCommands.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
