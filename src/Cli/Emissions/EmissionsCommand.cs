using System.CommandLine;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Spectre.Console;
using static Bittensor.Ledger.Cli.Audit.AuditCli;

namespace Bittensor.Ledger.Cli.Emissions;

/// <summary>`ledger emissions --hotkey H | --coldkey C | --netuid N [--from-epoch E --to-epoch E | --from-block B
/// --to-block B] [--json]`: per (netuid, epoch, uid) emission history with totals.</summary>
public static class EmissionsCommand
{
    public static Command Create()
    {
        var hotkey = HotkeyOption();
        var coldkey = ColdkeyOption();
        var netuid = NetUidOption();
        var fromEpoch = new Option<ulong?>("--from-epoch") { Description = "First epoch (inclusive)." };
        var toEpoch = new Option<ulong?>("--to-epoch") { Description = "Last epoch (inclusive)." };
        var fromBlock = BlockOption("--from-block", "First block (inclusive).");
        var toBlock = BlockOption("--to-block", "Last block (inclusive).");
        var json = JsonOption();
        var rao = RaoOption();
        var command = new Command("emissions", "Emission history per epoch and uid for a hotkey, a coldkey or a subnet, with totals.")
        {
            hotkey, coldkey, netuid, fromEpoch, toEpoch, fromBlock, toBlock, json, rao, ConnectionOption.Create(),
        };
        command.SetAction((parse, ct) => RunAsync(parse,
            () => new GetEmissions(Hotkey(parse, hotkey), Coldkey(parse, coldkey), NetUid(parse, netuid),
                parse.GetValue(fromEpoch), parse.GetValue(toEpoch), parse.GetValue(fromBlock), parse.GetValue(toBlock)),
            async (query, mediator, output, token) =>
            {
                var report = await mediator.Send(query, token).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    await WriteJsonAsync(output, report, token).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }

                var console = ConsoleOutput.For(output);
                var x = parse.GetValue(rao);
                var u = Unit(x);
                var table = Table("netuid", "epoch", "uid", "block", "hotkey", "stake w", "consensus", "incentive", "dividends", "vtrust",
                    $"server ({u})", $"validator ({u})", $"take ({u})", $"nominators ({u})");
                foreach (var r in report.Rows)
                {
                    table.AddTextRow(Num(r.NetUid), Num(r.Epoch), Num(r.Uid), Num(r.Block), Short(r.Hotkey), Term(r.StakeWeight, x), Term(r.Consensus, x), Term(r.Incentive, x),
                        Term(r.Dividends, x), Term(r.ValidatorTrust, x), Amount(r.ServerEmission, x), Amount(r.ValidatorEmission, x), Amount(r.Take, x), Amount(r.NominatorDividends, x));
                }

                table.AddTextRow("total", "", "", "", "", "", "", "", "", "", Amount(report.ServerEmission, x), Amount(report.ValidatorEmission, x), Amount(report.Take, x),
                    Amount(report.NominatorDividends, x));
                console.Write(table);
                console.WriteLine($"{report.Rows.Count} rows, emission {Amount(report.Emission, x)} {u}");
                if (report.Source == ObservedMetagraph.Source)
                {
                    console.WriteLine("observed: as the chain stored them at each epoch block (synced by `ledger chain sync`); validator emission = Emission − miner emission; take and nominator shares are not stored by the epoch");
                }
                return ExitCodes.Ok;
            }, ct));
        return command;
    }
}
