using System.CommandLine;
using Bittensor.Ledger.Cli;

var root = new RootCommand("ledger: an event-sourced ledger of Bittensor emissions, recomputed bit-exactly from the events.");
foreach (var command in LedgerCommands.All())
{
    root.Subcommands.Add(command);
}

try
{
    var parse = root.Parse(args);
    if (parse.Errors.Count > 0)
    {
        foreach (var line in CliErrors.DescribeParseErrors(parse))
        {
            await Console.Error.WriteLineAsync("ledger: " + line).ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync("ledger: see `ledger --help` (or `ledger COMMAND --help`)").ConfigureAwait(false);
        return ExitCodes.BadInput;
    }

    // Exceptions come to the boundary below: one line and a documented exit code, never a stack trace.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (Exception e)
{
    var (message, exitCode) = CliErrors.Describe(e);
    await Console.Error.WriteLineAsync("ledger: " + message).ConfigureAwait(false);
    return exitCode;
}
