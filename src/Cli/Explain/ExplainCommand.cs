using Bittensor.Ledger.Domain;
using System.CommandLine;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.ChainSync;
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
        var epoch = new Option<ulong?>("--epoch") { Description = "Epoch index on the subnet (an epoch the ledger computed)." };
        var block = new Option<ulong?>("--block") { Description = "The block of an epoch the chain ran (synced by `ledger chain sync`)." };
        var uid = new Option<int>("--uid") { Required = true, Description = "The uid." };
        var json = JsonOption();
        var command = new Command("explain", "Why a uid received its emission in an epoch, traced to the events, reconciled to the rao; or, with --block, how the ledger recomputes an epoch the chain ran.")
        {
            netuid, epoch, block, uid, json, ConnectionOption.Create(),
        };
        command.SetAction((parse, ct) =>
        {
            var u = parse.GetValue(uid) is >= 0 and <= ushort.MaxValue and var v ? new Uid((ushort)v) : throw new FieldErrorException("uid", "must be between 0 and 65535");
            return (parse.GetValue(epoch), parse.GetValue(block)) switch
            {
                ({ } e, null) => RunAsync(parse, () => new ExplainEmission(NetUid(parse, netuid)!.Value, e, u),
                    async (query, mediator, output, token) =>
                    {
                        var x = await Found(() => mediator.Send(query, token)).ConfigureAwait(false);
                        if (parse.GetValue(json))
                        {
                            await WriteJsonAsync(output, new { x.Reconciles, Explanation = x }, token).ConfigureAwait(false);
                        }
                        else
                        {
                            Write(ConsoleOutput.For(output), x);
                        }

                        return x.Reconciles ? 0 : 1;
                    }, ct),
                (null, { } b) => RunAsync(parse, () => new ExplainObservedEpoch(NetUid(parse, netuid)!.Value, b, u),
                    async (query, mediator, output, token) =>
                    {
                        var x = await Found(() => mediator.Send(query, token)).ConfigureAwait(false);
                        if (parse.GetValue(json))
                        {
                            await WriteJsonAsync(output, new { x.Matches, Explanation = x }, token).ConfigureAwait(false);
                        }
                        else
                        {
                            Write(ConsoleOutput.For(output), x);
                        }

                        return x.Matches ? 0 : 1;
                    }, ct),
                _ => throw new FieldErrorException("--epoch", "give either --epoch E (an epoch the ledger computed) or --block B (an epoch the chain ran)"),
            };
        });
        return command;
    }

    private static async Task<T> Found<T>(Func<ValueTask<T>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (NotFoundException ex)
        {
            throw new FieldErrorException(ex.Field, ex.Reason);
        }
    }

    private static void Write(IAnsiConsole c, ObservedEpochExplanation x)
    {
        c.WriteLine($"subnet {Num(x.NetUid)}, epoch the chain ran at block {Num(x.Block)} (spec {Num(x.SpecVersion)}, rules {x.RuleSet}); observed = stored by the chain, computed = recomputed by the ledger");
        c.WriteLine($"uid {Num(x.Uid)}: hotkey {x.Hotkey}{(x.Excluded ? " (EXCLUDED: an extrinsic of the block touched it; its outputs are not the epoch's)" : "")}");
        var s = x.Stake;
        c.WriteLine($"stake: own alpha {Num(s.OwnAlpha)} rao, own root {Num(s.OwnRoot)} rao; after childkeys alpha {Num(s.InheritedAlpha)}, root {Num(s.InheritedRoot)}; TaoWeight {Num(s.TaoWeight)}/2^64");
        foreach (var child in s.Children)
        {
            c.WriteLine($"  lends to child {Short(child.Hotkey)}: {Num(child.Proportion)}/2^64");
        }

        foreach (var parent in s.Parents)
        {
            c.WriteLine($"  borrows from parent {Short(parent.Hotkey)}: {Num(parent.Proportion)}/2^64");
        }

        foreach (var m in x.Mechanisms)
        {
            c.WriteLine();
            c.WriteLine($"mechanism {Num(m.Mechanism)}: normalized stake {m.Stake}, active stake {m.ActiveStake}, consensus {m.Consensus}, incentive {m.Incentive}, dividends {m.Dividends}, validator trust {m.ValidatorTrust}");
            var weights = Table("validator", "hotkey", "stored u16", "normalized", "clipped", "validator active stake");
            foreach (var w in m.Weights)
            {
                weights.AddTextRow(Num(w.Validator), Short(w.Hotkey), Num(w.Stored), w.Normalized.ToString(),
                    w.WasClipped ? $"{w.Clipped} (clipped)" : w.Clipped.ToString(), w.ValidatorActiveStake.ToString());
            }

            weights.Title = new TableTitle("weights received, clipped at consensus");
            c.Write(weights);
            c.WriteLine($"bonds held before: {m.PreviousBonds.Count} entries; after (observed): {m.NewBonds.Count} entries");
        }

        c.WriteLine();
        var terms = Table("output", "mechanism", "observed", "computed", "");
        foreach (var t in x.Terms)
        {
            terms.AddTextRow(t.Field, Num(t.Mechanism), t.Observed, t.Computed, t.Equal ? "=" : "DIFFERS");
        }

        c.Write(terms);
        if (x.RaoEmission is { } rao)
        {
            c.WriteLine($"emission amount (not stored by the chain; inferred from the written floors): {Num(rao)} rao{(x.RaoEmissionInferred is { } how ? " (" + how + ")" : "")}");
        }

        foreach (var note in x.NotCompared)
        {
            c.WriteLine("not compared: " + note);
        }

        c.WriteLine(x.Matches ? "the ledger's recomputation equals what the chain stored" : "DIFFERS from what the chain stored");
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
