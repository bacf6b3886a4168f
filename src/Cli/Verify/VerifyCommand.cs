using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Cli.Import;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Verify;

/// <summary>`ledger verify [--json]`: recompute every epoch from the stored events and check the books' identities.
/// Exit codes: 0 everything holds, 1 something broke (the first block where it did is named) or the ledger is
/// incomplete (a run that wrote it, such as a simulation, did not complete).</summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var connection = ConnectionOption.Create();
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var command = new Command("verify", "Recompute every epoch from the stored events and check that the books balance.") { connection, json };
        command.SetAction(async (parse, ct) =>
        {
            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            await using var scope = new LedgerScope(database.ConnectionString, parse.InvocationConfiguration.Error);
            var report = await scope.Mediator.Send(new VerifyLedger(), ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(Json(report).AsMemory(), ct).ConfigureAwait(false);
            }
            else
            {
                Table(report, output);
            }

            if (!report.Holds)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"verify: the ledger broke at block {report.FirstBroken}".AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (!report.Complete)
            {
                foreach (var run in report.Incomplete)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"verify: the ledger is incomplete: {run.Incomplete}".AsMemory(), ct).ConfigureAwait(false);
                }

                return ExitCodes.Failure;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Table(VerifyReport report, TextWriter output)
    {
        var console = ConsoleOutput.For(output);
        var table = new Table().AddColumn("check").AddColumn(new TableColumn("checked").RightAligned()).AddColumn("result");
        table.AddRow("epochs recomputed bit for bit", report.Epochs.ToString(CultureInfo.InvariantCulture),
            report.EpochsMatching == report.Epochs ? "[green]all match[/]" : Markup.Escape($"{report.Epochs - report.EpochsMatching} differ"));
        foreach (var identity in report.Identities)
        {
            table.AddRow(Markup.Escape(identity.Identity), identity.Checks.ToString(CultureInfo.InvariantCulture),
                identity.Holds ? "[green]holds[/]" : Markup.Escape($"BROKEN at block {identity.FirstBroken}: {identity.Detail}"));
        }

        console.Write(table);
        foreach (var f in report.Findings)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"block {f.Block} (event {f.Sequence}): {f.Reason}"));
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.Events} events replayed; {(!report.Holds ? $"first break at block {report.FirstBroken}" : report.Complete ? "the ledger holds" : "what is stored holds, but the ledger is INCOMPLETE")}"));
        foreach (var run in report.Incomplete)
        {
            console.WriteLine("INCOMPLETE: " + run.Incomplete);
        }
    }

    private static string Json(VerifyReport report)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteBoolean("holds", report.Holds);
            w.WriteNumber("events", report.Events);
            w.WriteNumber("epochs", report.Epochs);
            w.WriteNumber("epochs_matching", report.EpochsMatching);
            if (report.FirstBroken is { } block)
            {
                w.WriteNumber("first_broken_block", block.Value);
            }
            else
            {
                w.WriteNull("first_broken_block");
            }

            w.WriteStartArray("identities");
            foreach (var i in report.Identities)
            {
                w.WriteStartObject();
                w.WriteString("identity", i.Identity);
                w.WriteNumber("checks", i.Checks);
                w.WriteBoolean("holds", i.Holds);
                if (i.FirstBroken is { } b)
                {
                    w.WriteNumber("first_broken_block", b.Value);
                    w.WriteString("detail", i.Detail);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("findings");
            foreach (var f in report.Findings)
            {
                w.WriteStartObject();
                w.WriteNumber("block", f.Block.Value);
                w.WriteNumber("seq_id", f.Sequence);
                w.WriteString("reason", f.Reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            Status.StatusCommand.WriteIncomplete(w, report.Incomplete);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
