using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Cli.Db;
using FluentValidation;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Import;

/// <summary>`ledger import FILE.ndjson [--connection CS] [--skip-invalid] [--rejected PATH] [--batch-size N]`.
/// Exit codes: 0 imported, 2 bad input (a bad line, a missing file, a bad option; with --skip-invalid, any line
/// rejected, though the good ones are written).</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "NDJSON file, one event per line in block order (docs/import-format.md)." };
        var connection = ConnectionOption.Create();
        var skipInvalid = new Option<bool>("--skip-invalid")
        {
            Description = "Write rejected lines with their reasons to a side file and go on, instead of stopping at the first.",
        };
        var rejected = new Option<FileInfo?>("--rejected") { Description = "Side file for --skip-invalid (default FILE.rejected.ndjson)." };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = $"Lines per transaction (1..{ImportFile.MaxBatchSize}).",
            DefaultValueFactory = _ => ImportFile.DefaultBatchSize,
        };
        var reset = new Option<bool>("--reset") { Description = "Start from an empty ledger: drop every event (and read model) the ledger holds first." };
        var command = new Command("import", "Import an NDJSON file of events; importing the same file again appends nothing.")
        {
            file, connection, skipInvalid, rejected, batchSize, reset,
        };
        command.SetAction((parse, ct) => RunAsync(parse, file, skipInvalid, rejected, batchSize, reset, ct));
        return command;
    }

    private static async Task<int> RunAsync(
        ParseResult parse, Argument<FileInfo> file, Option<bool> skipInvalid, Option<FileInfo?> rejectedPath, Option<int> batchSize, Option<bool> reset, CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var path = parse.GetValue(file)!;
        if (!parse.GetValue(skipInvalid) && await ImportPreflight.FirstLineErrorAsync(path.FullName, ct).ConfigureAwait(false) is { } first)
        {
            // A bad first line is refused before the database is opened: nothing could have been appended.
            await Stopped(error, path, first, ct).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
        if (parse.GetValue(reset) && await LedgerReset.EventCountAsync(database.ConnectionString, ct).ConfigureAwait(false) is var held and > 0)
        {
            await error.WriteLineAsync($"import: --reset: dropping the {held} events this ledger held".AsMemory(), ct).ConfigureAwait(false);
            await LedgerReset.DropAsync(database.ConnectionString, error, ct).ConfigureAwait(false);
        }

        await using var scope = new LedgerScope(database.ConnectionString, parse.InvocationConfiguration.Error);
        var live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        ImportSummary summary;
        try
        {
            if (live)
            {
                summary = await AnsiConsole.Status().StartAsync($"importing {path.Name}", async ctx =>
                {
                    var progress = new Sink(p => ctx.Status(
                        string.Create(CultureInfo.InvariantCulture, $"importing {path.Name}: {p.LinesRead:N0} lines, {p.Appended:N0} appended, {p.EventsPerSecond:N0} events/s")));
                    return await scope.Mediator.Send(Command(progress), ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            else
            {
                var lastReport = Stopwatch.StartNew();
                var progress = new Sink(p =>
                {
                    if (lastReport.Elapsed >= TimeSpan.FromSeconds(2))
                    {
                        lastReport.Restart();
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"... {p.LinesRead} lines, {p.Appended} appended, {p.AlreadyPresent} already present, {p.Rejected} rejected, {p.EventsPerSecond:F0} events/s"));
                    }
                });
                summary = await scope.Mediator.Send(Command(progress), ct).ConfigureAwait(false);
            }
        }
        catch (ValidationException ex)
        {
            foreach (var failure in ex.Errors)
            {
                await error.WriteLineAsync($"{path}: {failure.PropertyName}: {failure.ErrorMessage}".AsMemory(), ct).ConfigureAwait(false);
            }

            return ExitCodes.BadInput;
        }

        if (summary.Error is { } bad)
        {
            await Stopped(error, path, bad, ct).ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"lines read {summary.LinesRead}, appended {summary.Appended}, already present {summary.AlreadyPresent}, rejected {summary.Rejected}, epochs run {summary.EpochsRun}, " +
            $"elapsed {summary.Elapsed.TotalSeconds:F2} s, {summary.EventsPerSecond:F0} events/s").AsMemory(), ct).ConfigureAwait(false);
        if (summary.RejectedFile is { } side)
        {
            await output.WriteLineAsync($"rejected lines written to {side}".AsMemory(), ct).ConfigureAwait(false);
        }

        // --skip-invalid goes on past bad lines, but a script must still learn that some were refused.
        return summary.Error is null && summary.Rejected == 0 ? ExitCodes.Ok : ExitCodes.BadInput;

        ImportFile Command(IProgress<ImportProgress> progress) => new(
            path.FullName, parse.GetValue(batchSize), parse.GetValue(skipInvalid), parse.GetValue(rejectedPath)?.FullName, progress);
    }

    /// <summary>Reports synchronously on the importing thread (System.Progress would post to the thread pool).</summary>
    private sealed class Sink(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    private static async Task Stopped(TextWriter error, FileInfo path, ImportError bad, CancellationToken ct)
    {
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{path}:{bad.Line}: {bad.Field}: {bad.Reason}").AsMemory(), ct).ConfigureAwait(false);
        await error.WriteLineAsync("import stopped: nothing of that line's batch was appended; earlier batches stay committed.".AsMemory(), ct).ConfigureAwait(false);
    }
}
