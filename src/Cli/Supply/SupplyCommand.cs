using Bittensor.Ledger.Domain;
using System.CommandLine;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Mediator;
using Spectre.Console;
using static Bittensor.Ledger.Cli.Audit.AuditCli;

namespace Bittensor.Ledger.Cli.Supply;

/// <summary>`ledger supply [--from-block B] [--to-block B] [--by-epoch --netuid N] [--coldkey C] [--json]`: issuance,
/// minted, recycled, burned, staked and annualized inflation per asset over blocks (from, to]; per epoch of one
/// subnet; or one coldkey's share of supply, emission received and real yield over the range.</summary>
public static class SupplyCommand
{
    public static Command Create()
    {
        var from = BlockOption("--from-block", "Start of the range (exclusive; default: before the first event).");
        var to = BlockOption("--to-block", "End of the range (inclusive; default: the last block).");
        var byEpoch = new Option<bool>("--by-epoch") { Description = "One row per epoch of --netuid (each epoch's accrual range)." };
        var netuid = NetUidOption();
        var coldkey = ColdkeyOption();
        var json = JsonOption();
        var rao = RaoOption();
        var command = new Command("supply", "TAO and alpha supply, flows and inflation over a block range; per epoch; or one coldkey's dilution.")
        {
            from, to, byEpoch, netuid, coldkey, json, rao, ConnectionOption.Create(),
        };
        command.SetAction((parse, ct) => RunAsync(parse,
            () =>
            {
                var c = Coldkey(parse, coldkey);
                var n = NetUid(parse, netuid);
                if (parse.GetValue(byEpoch) && n is null)
                {
                    throw new FieldErrorException("netuid", "--by-epoch needs --netuid");
                }

                if (c is not null && (parse.GetValue(from) is null || parse.GetValue(to) is null))
                {
                    throw new FieldErrorException("from_block", "--coldkey needs --from-block and --to-block");
                }

                return (Coldkey: c, NetUid: parse.GetValue(byEpoch) ? n : null);
            },
            async (input, mediator, output, token) => input.Coldkey is { } c
                ? await DilutionAsync(mediator, new GetDilution(c, parse.GetValue(from)!.Value, parse.GetValue(to)!.Value), parse.GetValue(json), parse.GetValue(rao), output, token).ConfigureAwait(false)
                : await SupplyAsync(mediator, new GetSupply(parse.GetValue(from), parse.GetValue(to), input.NetUid), parse.GetValue(json), parse.GetValue(rao), output, token).ConfigureAwait(false),
            ct));
        return command;
    }

    private static async Task<int> SupplyAsync(IMediator mediator, GetSupply query, bool json, bool x, TextWriter output, CancellationToken ct)
    {
        var report = await mediator.Send(query, ct).ConfigureAwait(false);
        if (json)
        {
            await WriteJsonAsync(output, report, ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var console = ConsoleOutput.For(output);
        var table = Table("asset", "issuance start", "issuance end", "minted", "recycled", "burned", "staked", "inflation/yr");
        foreach (var a in report.Assets)
        {
            table.AddTextRow(a.Asset, Amount(a.IssuanceStart, x), Amount(a.IssuanceEnd, x), Amount(a.Minted, x), Amount(a.Recycled, x), Amount(a.Burned, x), Amount(a.StakedEnd, x),
                Pct(a.AnnualizedInflationPercent));
        }

        console.Write(table);
        var range = report.FromBlock < 0 ? $"blocks up to {Num(report.ToBlock)} (all of them); inflation/yr from block 0" : $"blocks ({Num(report.FromBlock)}, {Num(report.ToBlock)}]";
        console.WriteLine($"{range}, amounts in {(x ? "rao" : "τ (tao) and α (alpha)")}; TAO staked = TAO emitted into subnets");
        if (report.Epochs.Count > 0)
        {
            var epochs = Table("epoch", "blocks", "tao minted", "tao issuance", "alpha minted", "alpha recycled", "alpha burned", "alpha issuance", "alpha inflation/yr");
            foreach (var e in report.Epochs)
            {
                epochs.AddTextRow(Num(e.Epoch), $"({Num(e.FromBlock)}, {Num(e.Block)}]", Amount(e.Tao.Minted, x), Amount(e.Tao.IssuanceEnd, x), Amount(e.Alpha.Minted, x),
                    Amount(e.Alpha.Recycled, x), Amount(e.Alpha.Burned, x), Amount(e.Alpha.IssuanceEnd, x), Pct(e.Alpha.AnnualizedInflationPercent));
            }

            console.Write(epochs);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> DilutionAsync(IMediator mediator, GetDilution query, bool json, bool x, TextWriter output, CancellationToken ct)
    {
        var report = await mediator.Send(query, ct).ConfigureAwait(false);
        if (json)
        {
            await WriteJsonAsync(output, report, ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var console = ConsoleOutput.For(output);
        var table = Table("netuid", "stake start", "stake end", "share start", "share end", "emission received", "yield/yr", "supply growth/yr", "real yield/yr");
        foreach (var s in report.Subnets)
        {
            table.AddTextRow(Num(s.NetUid), Amount(s.StakeStart, x), Amount(s.StakeEnd, x), Pct(s.ShareStartPercent), Pct(s.ShareEndPercent), Amount(s.EmissionReceived, x),
                Pct(s.YieldPercent), Pct(s.SupplyGrowthPercent), Pct(s.RealYieldPercent));
        }

        console.Write(table);
        console.WriteLine($"coldkey {report.Coldkey}, blocks ({Num(report.FromBlock)}, {Num(report.ToBlock)}], amounts in {Unit(x)}");
        return ExitCodes.Ok;
    }
}
