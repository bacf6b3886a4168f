using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Cli.Import;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Replay;

/// <summary>`ledger replay --from-block A --to-block B [--set name=value]... [--yuma3 on|off] [--liquid-alpha on|off]`:
/// recorded epochs recomputed under other rules into a scratch schema, per hotkey emission recorded vs new.
/// Exit codes: 0 done, 2 bad options.</summary>
public static class ReplayCommand
{
    public static Command Create()
    {
        var from = new Option<ulong>("--from-block") { Description = "First block whose epochs are replayed.", Required = true };
        var to = new Option<ulong>("--to-block") { Description = "Last block whose epochs are replayed.", Required = true };
        var set = new Option<string[]>("--set")
        {
            Description = "A hyperparameter over the recorded one, by its import-format name (kappa=39321, bonds_penalty=0, ...). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var yuma3 = new Option<string?>("--yuma3") { Description = "Yuma3 bonds on or off on every subnet." };
        yuma3.AcceptOnlyFromAmong("on", "off");
        var liquidAlpha = new Option<string?>("--liquid-alpha") { Description = "Liquid alpha on or off on every subnet." };
        liquidAlpha.AcceptOnlyFromAmong("on", "off");
        var top = new Option<int>("--top") { Description = "Rows in the table (largest differences first); --json lists all.", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Machine-readable output with exact integers." };
        var connection = ConnectionOption.Create();
        var command = new Command("replay", "Recompute recorded epochs under other rules and compare emission per hotkey.")
        {
            from, to, set, yuma3, liquidAlpha, top, json, connection,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            RuleOverrides overrides;
            try
            {
                overrides = RuleOverrides.Parse(parse.GetValue(set) ?? []);
                if (parse.GetValue(yuma3) is { } y)
                {
                    overrides = overrides.Set("yuma3", y);
                }

                if (parse.GetValue(liquidAlpha) is { } l)
                {
                    overrides = overrides.Set("liquid_alpha", l);
                }
            }
            catch (FormatException ex)
            {
                await error.WriteLineAsync(ex.Message.AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (parse.GetValue(to) < parse.GetValue(from))
            {
                await error.WriteLineAsync("--to-block: must not be before --from-block".AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            await using var scope = new LedgerScope(database.ConnectionString, parse.InvocationConfiguration.Error);
            var report = await scope.Mediator.Send(new ReplayLedger(parse.GetValue(from), parse.GetValue(to), overrides), ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(Json(report).AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var console = ConsoleOutput.For(output);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replayed {report.Epochs} epochs of blocks {parse.GetValue(from)}..{parse.GetValue(to)} under {report.Rules}; results in schema {ReplayLedger.ScratchSchema}"));
            var table = new Table().AddColumn("hotkey").AddColumn(new TableColumn("recorded (rao)").RightAligned())
                .AddColumn(new TableColumn("replayed (rao)").RightAligned()).AddColumn(new TableColumn("difference").RightAligned());
            foreach (var h in report.Hotkeys.Take(Math.Max(1, parse.GetValue(top))))
            {
                table.AddRow(h.Hotkey.Address, h.Recorded.ToString(), h.Replayed.ToString(), h.Difference.ToString("+#;-#;0", CultureInfo.InvariantCulture));
            }

            console.Write(table);
            var recorded = report.Hotkeys.Aggregate(Int128.Zero, (a, h) => a + h.Recorded.Value);
            var replayedTotal = report.Hotkeys.Aggregate(Int128.Zero, (a, h) => a + h.Replayed.Value);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Hotkeys.Count} hotkeys; total {recorded} rao recorded, {replayedTotal} rao replayed; {report.Hotkeys.Count(h => h.Difference != 0)} hotkeys differ"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Json(ReplayReport report)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("epochs", report.Epochs);
            w.WriteString("rules", report.Rules);
            w.WriteStartArray("hotkeys");
            foreach (var h in report.Hotkeys)
            {
                w.WriteStartObject();
                w.WriteString("hotkey", h.Hotkey.Address);
                w.WriteNumber("recorded", h.Recorded.Value);
                w.WriteNumber("replayed", h.Replayed.Value);
                w.WriteString("difference", h.Difference.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
