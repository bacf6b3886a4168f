using System.CommandLine;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Domain.Primitives;
using Spectre.Console;
using static Bittensor.Ledger.Cli.Audit.AuditCli;

namespace Bittensor.Ledger.Cli.Explain;

/// <summary>`ledger explain --netuid N --epoch E --uid U [--json]`: why the uid received its emission, each number
/// with the sequence numbers of the events it came from. Exit 1 when the recomputation does not reconcile.</summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var netuid = NetUidOption();
        netuid.Required = true;
        var epoch = new Option<ulong>("--epoch") { Required = true, Description = "Epoch index on the subnet." };
        var uid = new Option<int>("--uid") { Required = true, Description = "The uid." };
        var json = JsonOption();
        var command = new Command("explain", "Why a uid received its emission in an epoch, traced to the events, reconciled to the rao.")
        {
            netuid, epoch, uid, json, ConnectionOption.Create(),
        };
        command.SetAction((parse, ct) => RunAsync(parse,
            () => new ExplainEmission(NetUid(parse, netuid)!.Value, parse.GetValue(epoch),
                parse.GetValue(uid) is >= 0 and <= ushort.MaxValue and var u ? new Uid((ushort)u) : throw new BadInputException("uid", "must be between 0 and 65535")),
            async (query, mediator, output, token) =>
            {
                EmissionExplanation x;
                try
                {
                    x = await mediator.Send(query, token).ConfigureAwait(false);
                }
                catch (NotFoundException ex)
                {
                    throw new BadInputException(ex.Field, ex.Reason);
                }

                if (parse.GetValue(json))
                {
                    await WriteJsonAsync(output, new { x.Reconciles, Explanation = x }, token).ConfigureAwait(false);
                    return x.Reconciles ? 0 : 1;
                }

                Write(AuditCli.Console(output), x);
                return x.Reconciles ? 0 : 1;
            }, ct));
        return command;
    }

    private static void Write(IAnsiConsole c, EmissionExplanation x)
    {
        c.WriteLine($"subnet {Num(x.NetUid)}, epoch {Num(x.Epoch)} at block {Num(x.Block)} (epoch_completed seq {Num(x.EpochSeq)}, subnet_emission_posted seq {(x.PostedSeq is { } ps ? Num(ps) : "-")})");
        c.WriteLine($"uid {Num(x.Uid)}: hotkey {x.Hotkey}, coldkey {x.Coldkey}, registered by seq {(x.RegisteredSeq is { } r ? Num(r) : "-")}");
        c.WriteLine($"stake: {Num(x.StakeRao)} rao on the hotkey ({Num(x.StakeChanges)} stake changes before the epoch; latest seqs {string.Join(", ", x.LastStakeChangeSeqs.Select(s => Num(s)))}), stake weight {Num(x.StakeWeight)}/65535");
        foreach (var m in x.Mechanisms)
        {
            c.WriteLine();
            c.WriteLine($"mechanism {Num(m.Mechanism)}: normalized stake {m.Stake}, active stake {m.ActiveStake}, consensus {m.Consensus}, incentive {m.Incentive}, dividends {m.Dividends}, validator trust {m.ValidatorTrust}");
            var weights = Table("validator", "hotkey", "weights_set seq", "block", "stored u16", "normalized", "clipped", "validator active stake");
            foreach (var w in m.Weights)
            {
                weights.AddTextRow(Num(w.Validator), Short(w.Hotkey), w.WeightsSeq is { } s ? Num(s) : "-", w.WeightsBlock is { } b ? Num(b) : "-", Num(w.Stored),
                    w.Normalized.ToString(), w.WasClipped ? $"{w.Clipped} (clipped)" : w.Clipped.ToString(), w.ValidatorActiveStake.ToString());
            }

            weights.Title = new TableTitle("weights received, clipped at consensus");
            c.Write(weights);
            c.WriteLine($"bonds held before (bonds_history seq {(m.PreviousBondsSeq is { } pb ? Num(pb) : "-")}): {m.PreviousBonds.Count} entries; after (seq {Num(x.EpochSeq)}): {m.NewBonds.Count} entries");
            c.WriteLine($"normalized emission: server {m.NormalizedServerEmission}, validator {m.NormalizedValidatorEmission}");
        }

        c.WriteLine();
        c.WriteLine($"pot drained: {Num(x.DrainedPot)} rao; accrual {string.Join(", ", x.Accrual.Select(a => $"{a.Reason} {Num(a.Amount)} (seq {Num(a.Seq)}#{Num(a.Ordinal)})"))}");
        var payouts = Table("seq", "#", "reason", "to", "amount (rao)");
        foreach (var p in x.Payouts)
        {
            payouts.AddTextRow(Num(p.Seq), Num(p.Ordinal), p.Reason, p.To, Num(p.Amount));
        }

        payouts.Title = new TableTitle("postings paying this uid");
        c.Write(payouts);
        c.WriteLine($"subnet rounding to dust: {string.Join(", ", x.SubnetRounding.Select(r => $"{Num(r.Amount)} (seq {Num(r.Seq)}#{Num(r.Ordinal)})"))}");
        c.WriteLine($"stored: server emission {Num(x.StoredServerEmission)}, validator emission {Num(x.StoredValidatorEmission)}");
        c.WriteLine($"paid: incentive {Num(x.IncentivePaid)}; take + nominators + rounding {Num(x.ValidatorPaid)} = this uid's share {Num(x.ValidatorPayout)} of the validator pot {Num(x.ValidatorPot)} (pro rata to validator emission)");
        c.WriteLine($"recomputed epoch equals stored: {Yes(x.EpochRecomputedExactly)}; postings: {Yes(x.PostingsRecomputedExactly)}; uid terms: {Yes(x.TermsMatch)}; incentive = server emission: {Yes(x.IncentiveMatchesServerEmission)}; payout = pot share: {Yes(x.PayoutMatches)}");
        c.WriteLine(x.Reconciles ? "reconciles" : "DOES NOT RECONCILE");
    }

    private static string Yes(bool value) => value ? "yes" : "NO";
}
