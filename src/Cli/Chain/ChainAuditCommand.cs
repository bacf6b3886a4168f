using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.ChainSync;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Cli.Import;
using Bittensor.Ledger.Domain.Chain;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Chain;

/// <summary>
/// <c>ledger chain audit [--netuid N] [--from-block A --to-block B] [--json]</c>: one row per observed epoch (netuid,
/// block, spec, rule set, mechanisms, verdict, first difference) and the totals (<see cref="AuditChain"/>). Exit 1 when
/// any epoch differs; exit 2 when there is nothing to audit.
/// </summary>
internal static class ChainAuditCommand
{
    public static Command Create()
    {
        var connection = ConnectionOption.Create();
        var netuid = AuditCli.NetUidOption();
        var from = new Option<long?>("--from-block") { Description = "The first epoch block to audit." };
        var to = new Option<long?>("--to-block") { Description = "The last epoch block to audit." };
        var json = AuditCli.JsonOption();
        var command = new Command("audit", "Recompute every synced epoch with the ledger's port and compare it bit for bit with what the chain wrote.")
        {
            netuid, from, to, json, connection,
        };
        command.SetAction(async (parse, ct) =>
        {
            var subnet = AuditCli.NetUid(parse, netuid)?.Value;
            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            await using var scope = new LedgerScope(database.ConnectionString, parse.InvocationConfiguration.Error);
            var report = await scope.Mediator.Send(new AuditChain(subnet, parse.GetValue(from), parse.GetValue(to)), ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(Json(report).ToJsonString(AuditCli.Json).AsMemory(), ct).ConfigureAwait(false);
            }
            else
            {
                Table(report, output);
            }

            if (report.Epochs.Count == 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    "ledger: chain audit: no observed epochs in this range; `ledger chain sync` records them".AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            return report.Differed > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    private static void Table(ChainAuditReport report, TextWriter output)
    {
        var console = ConsoleOutput.For(output);
        var table = new Table()
            .AddColumn(new TableColumn("netuid").RightAligned()).AddColumn(new TableColumn("block").RightAligned())
            .AddColumn(new TableColumn("spec").RightAligned()).AddColumn("rules").AddColumn(new TableColumn("mechs").RightAligned())
            .AddColumn("verdict").AddColumn("excluded").AddColumn("first difference");
        foreach (var e in report.Epochs)
        {
            var verdict = e.Verdict switch
            {
                Verdicts.Match => "[green]match[/]",
                Verdicts.Differs => $"[red]differs[/] ({e.Differences})",
                _ => "[yellow]incomplete[/]",
            };
            var first = e.FirstDifference is { } d
                ? Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{d.Field} mech {d.Mechanism} uid {d.Uid}: chain {d.Chain}, ledger {d.Ledger}"))
                : Markup.Escape(e.Reason ?? "");
            table.AddRow(Num(e.NetUid.Value), Num((long)e.Block.Value), Num(e.SpecVersion), e.RuleSet, Num(e.Mechanisms), verdict,
                e.ExcludedUids.Count == 0 ? "-" : string.Join(",", e.ExcludedUids), first);
        }

        console.Write(table);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.Epochs.Count} epochs: {report.Matched} match, {report.Differed} differ, {report.Incomplete} incomplete; {report.Stored} new verdicts stored"));
        foreach (var note in report.Epochs.SelectMany(e => e.NotCompared).Distinct())
        {
            console.WriteLine("not compared: " + note);
        }
    }

    private static JsonObject Json(ChainAuditReport report) => new()
    {
        ["epochs"] = new JsonArray([.. report.Epochs.Select(e => (JsonNode)new JsonObject
        {
            ["netuid"] = e.NetUid.Value,
            ["block"] = e.Block.Value,
            ["spec_version"] = e.SpecVersion,
            ["rule_set"] = e.RuleSet,
            ["mechanisms"] = e.Mechanisms,
            ["verdict"] = e.Verdict,
            ["excluded_uids"] = new JsonArray([.. e.ExcludedUids.Select(u => (JsonNode)u)]),
            ["first_difference"] = e.FirstDifference is { } d ? Difference(d) : null,
            ["differences"] = e.Differences,
            ["not_compared"] = new JsonArray([.. e.NotCompared.Select(n => (JsonNode)n)]),
            ["caveats"] = new JsonArray([.. e.Caveats.Select(n => (JsonNode)n)]),
            ["runtime_upgrade"] = e.RuntimeUpgrade,
            ["rao_emission"] = e.RaoEmission is { } rao ? rao.ToString(CultureInfo.InvariantCulture) : null,
            ["rao_emission_inferred"] = e.RaoEmissionInferred,
            ["reason"] = e.Reason,
        })]),
        ["matched"] = report.Matched,
        ["differed"] = report.Differed,
        ["incomplete"] = report.Incomplete,
        ["stored"] = report.Stored,
    };

    private static JsonObject Difference(AuditDifference d) => new()
    {
        ["field"] = d.Field,
        ["mechanism"] = d.Mechanism,
        ["uid"] = d.Uid,
        ["chain"] = d.Chain,
        ["ledger"] = d.Ledger,
    };

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
