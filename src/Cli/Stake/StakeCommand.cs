using System.CommandLine;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Spectre.Console;
using static Bittensor.Ledger.Cli.Audit.AuditCli;

namespace Bittensor.Ledger.Cli.Stake;

/// <summary>`ledger stake --coldkey C | --hotkey H [--at-block B] [--json]`.</summary>
public static class StakeCommand
{
    public static Command Create()
    {
        var coldkey = ColdkeyOption();
        var hotkey = HotkeyOption();
        var at = BlockOption("--at-block", "Stake as of the end of this block (default: now).");
        var json = JsonOption();
        var rao = RaoOption();
        var command = new Command("stake", "Alpha staked by a coldkey (or on a hotkey), per subnet and hotkey, now or at a past block.")
        {
            coldkey, hotkey, at, json, rao, ConnectionOption.Create(),
        };
        command.SetAction((parse, ct) => RunAsync(parse,
            () => new GetStake(Coldkey(parse, coldkey), Hotkey(parse, hotkey), parse.GetValue(at)),
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
                var table = Table("netuid", "hotkey", "coldkey", $"stake ({Unit(x)})", $"hotkey total ({Unit(x)})", "last change");
                foreach (var p in report.Positions)
                {
                    table.AddTextRow(Num(p.NetUid), p.Hotkey, p.Coldkey, Amount(p.Stake, x), Amount(p.HotkeyTotal, x), Num(p.LastChangeBlock));
                }

                foreach (var (netuid, total) in report.TotalBySubnet.OrderBy(kv => kv.Key))
                {
                    table.AddTextRow(Num(netuid), "total", "", Amount(total, x), "", "");
                }

                console.Write(table);
                if (report.Source == ObservedMetagraph.Source)
                {
                    console.WriteLine("observed: TotalHotkeyAlpha as the chain stored it at each subnet's last synced epoch block (synced by `ledger chain sync`); the epoch reads stake per hotkey, so no coldkeys");
                }

                return ExitCodes.Ok;
            }, ct));
        return command;
    }
}
