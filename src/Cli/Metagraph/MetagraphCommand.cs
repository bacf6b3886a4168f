using System.CommandLine;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Spectre.Console;
using static Bittensor.Ledger.Cli.Audit.AuditCli;

namespace Bittensor.Ledger.Cli.Metagraph;

/// <summary>`ledger metagraph --netuid N [--at-block B] [--json]`.</summary>
public static class MetagraphCommand
{
    public static Command Create()
    {
        var netuid = NetUidOption();
        netuid.Required = true;
        var at = BlockOption("--at-block", "The metagraph as of the end of this block (default: now).");
        var json = JsonOption();
        var command = new Command("metagraph", "A subnet's neurons with stake, last epoch terms and last weight update, now or at a past block.")
        {
            netuid, at, json, ConnectionOption.Create(),
        };
        command.SetAction((parse, ct) => RunAsync(parse,
            () => new GetMetagraph(NetUid(parse, netuid)!.Value, parse.GetValue(at)),
            async (query, mediator, output, token) =>
            {
                var report = await mediator.Send(query, token).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    await WriteJsonAsync(output, report, token).ConfigureAwait(false);
                    return 0;
                }

                var console = AuditCli.Console(output);
                var table = Table("uid", "hotkey", "coldkey", "registered", "stake (rao)", "stake w", "consensus", "incentive", "dividends", "vtrust",
                    "emission (rao)", "active", "permit", "last update");
                foreach (var n in report.Neurons)
                {
                    table.AddTextRow(Num(n.Uid), Short(n.Hotkey), Short(n.Coldkey), Num(n.RegisteredAt), Num(n.Stake), Num(n.StakeWeight), Num(n.Consensus),
                        Num(n.Incentive), Num(n.Dividends), Num(n.ValidatorTrust), Num(n.Emission), n.Active ? "yes" : "no", n.ValidatorPermit ? "yes" : "no",
                        n.LastUpdate is { } u ? Num(u) : "-");
                }

                console.Write(table);
                console.WriteLine(report.Epoch is { } e
                    ? $"subnet {Num(report.NetUid)}: {report.Neurons.Count} neurons, terms of epoch {Num(e)} (block {Num(report.EpochBlock ?? 0)})"
                    : $"subnet {Num(report.NetUid)}: {report.Neurons.Count} neurons, no epoch yet");
                return 0;
            }, ct));
        return command;
    }
}
