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
        var rao = RaoOption();
        var command = new Command("metagraph", "A subnet's neurons with stake, last epoch terms and last weight update, now or at a past block.")
        {
            netuid, at, json, rao, ConnectionOption.Create(),
        };
        command.SetAction((parse, ct) => RunAsync(parse,
            () => new GetMetagraph(NetUid(parse, netuid)!.Value, parse.GetValue(at)),
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
                var u = Unit(x, report.NetUid == 0 ? "τ" : "α");
                var table = Table("uid", "hotkey", "coldkey", "registered", $"stake ({u})", "stake w", "consensus", "incentive", "dividends", "vtrust",
                    $"emission ({u})", "active", "permit", "last update");
                foreach (var n in report.Neurons)
                {
                    table.AddTextRow(Num(n.Uid), Short(n.Hotkey), Short(n.Coldkey), Num(n.RegisteredAt), Amount(n.Stake, x), Term(n.StakeWeight, x), Term(n.Consensus, x),
                        Term(n.Incentive, x), Term(n.Dividends, x), Term(n.ValidatorTrust, x), Amount(n.Emission, x), n.Active ? "yes" : "no", n.ValidatorPermit ? "yes" : "no",
                        n.LastUpdate is { } last ? Num(last) : "-");
                }

                console.Write(table);
                if (report.Source == ObservedMetagraph.Source)
                {
                    console.WriteLine($"subnet {Num(report.NetUid)}: {report.Neurons.Count} neurons; {ObservedMetagraph.Describe(report)}");
                    return ExitCodes.Ok;
                }

                console.WriteLine(report.Epoch is { } e
                    ? $"subnet {Num(report.NetUid)}: {report.Neurons.Count} neurons, terms of epoch {Num(e)} (block {Num(report.EpochBlock ?? 0)})"
                    : $"subnet {Num(report.NetUid)}: {report.Neurons.Count} neurons, no epoch yet");
                return ExitCodes.Ok;
            }, ct));
        return command;
    }
}
