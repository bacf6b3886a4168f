using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bittensor.Ledger.Api;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.ChainSync;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Cli.Import;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Chain;

/// <summary><c>ledger chain status [--connection CS] [--json]</c>: per synced subnet, where the sync has got to and
/// how its audited epochs came out; the same query (and, with --json, the same JSON) as <c>GET /api/chain/status</c>.</summary>
public static class ChainStatusCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var connection = ConnectionOption.Create();
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var command = new Command("status", "Per synced subnet: the sync checkpoint and the audit verdicts, counted.") { connection, json };
        command.SetAction(async (parse, ct) =>
        {
            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            await using var scope = new LedgerScope(database.ConnectionString, parse.InvocationConfiguration.Error);
            var report = await scope.Mediator.Send(new GetChainStatus(), ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(Json(report).ToJsonString(Indented).AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            if (report.Subnets.Count == 0)
            {
                output.WriteLine("no subnet synced from a chain");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("netuid", "next block", "last hash", "spec", "audited", "match", "differs", "incomplete", "last audited block");
            foreach (var s in report.Subnets)
            {
                table.AddRow(Text(s.Netuid), Text(s.NextBlock), Markup.Escape(s.LastHash ?? "-"), Text(s.SpecVersion),
                    Text(s.Audited), Text(s.Matched), Text(s.Differed), Text(s.Incomplete), Text(s.LastAuditedBlock));
            }

            ConsoleOutput.For(output).Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The JSON the API answers with as well.</summary>
    public static System.Text.Json.Nodes.JsonNode Json(ChainStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return ApiJson.ToNode(new { report.Subnets });
    }

    private static string Text(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
