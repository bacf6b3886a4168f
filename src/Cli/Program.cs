using System.CommandLine;
using System.Runtime.InteropServices;
using Bittensor.Ledger.Cli;

var root = new RootCommand("ledger: an event-sourced ledger of Bittensor emissions, recomputed bit-exactly from the events.");
foreach (var command in LedgerCommands.All())
{
    root.Subcommands.Add(command);
}

// Ctrl-C (SIGINT) and SIGTERM cancel the command's token: a command waiting for a lock or writing stops where it is, and
// the boundary below prints one line ("interrupted", exit 130). System.CommandLine's own handler would return 130 after
// two seconds without a word, while the command still ran. A second Ctrl-C ends the process at once.
using var interrupted = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

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
    return await parse.InvokeAsync(
        new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, interrupted.Token).ConfigureAwait(false);
}
catch (Exception e)
{
    var (message, exitCode) = CliErrors.Describe(e);
    await Console.Error.WriteLineAsync("ledger: " + message).ConfigureAwait(false);
    return exitCode;
}

void Interrupt(PosixSignalContext context)
{
    if (!interrupted.IsCancellationRequested)
    {
        context.Cancel = true;
        interrupted.Cancel();
    }
}
