using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Kernels;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Chain.Audit;

/// <summary>
/// Rank, Trust and PruningScores, which runtimes before spec 365 also wrote (v3.2.8-320 <c>run_epoch.rs</c>): derived
/// from a traced run of the port, since they only re-read its intermediates. rank = incentive (the normalized ranks);
/// trust = vecdiv(ranks before normalization, preranks) with preranks = the masked weights × active stake, ranks =
/// the clipped weights × active stake; pruning score = max-upscaled normalized combined emission. Aggregated over
/// mechanisms by weighted_acc_u16 as mechanism.rs did then (mechanism 0 weighs 1 when nothing is distributed).
/// </summary>
public static class LegacyTerms
{
    /// <summary>One mechanism's terms; <paramref name="output"/> must come from an input with <c>Trace = true</c>.</summary>
    public static (ushort[] Rank, ushort[] Trust, ushort[] PruningScores) Of(YumaOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var trace = output.Trace ?? throw new ArgumentException("the legacy terms need a traced epoch (YumaInput.Trace)", nameof(output));
        var n = output.Incentive.Length;
        var preranks = new I32F32[n];
        YumaMath.MatmulSparse(trace.Weights, trace.ActiveStake, preranks);
        var ranks = new I32F32[n];
        YumaMath.MatmulSparse(YumaMath.ColClipSparse(trace.Weights, trace.Consensus), trace.ActiveStake, ranks);
        var trust = new ushort[n];
        for (var i = 0; i < n; i++)
        {
            trust[i] = YumaMath.FixedProportionToU16(ranks[i].SafeDiv(preranks[i]));
        }

        var pruning = new ushort[n];
        YumaMath.VecMaxUpscaleToU16(trace.NormalizedCombinedEmission, pruning);
        return ((ushort[])output.Incentive.Clone(), trust, pruning);
    }

    /// <summary>The terms of every mechanism weighted by its share of <paramref name="alpha"/>: floor(acc + term·part/alpha) in U64F64.</summary>
    public static (ushort[] Rank, ushort[] Trust, ushort[] PruningScores) Aggregate(IReadOnlyList<YumaOutput> perMechanism, ulong alpha, IReadOnlyList<ushort>? split)
    {
        ArgumentNullException.ThrowIfNull(perMechanism);
        var parts = YumaMechanisms.SplitEmissions(alpha, perMechanism.Count, split);
        var n = perMechanism.Count == 0 ? 0 : perMechanism[0].Incentive.Length;
        var (rank, trust, pruning) = (new ushort[n], new ushort[n], new ushort[n]);
        for (var m = 0; m < perMechanism.Count; m++)
        {
            var weight = alpha == 0 ? (m == 0 ? U64F64.One : U64F64.Zero) : U64F64.FromNum(parts[m]).SafeDiv(U64F64.FromNum(alpha));
            var (r, t, p) = Of(perMechanism[m]);
            for (var i = 0; i < n; i++)
            {
                rank[i] = Weighted(rank[i], r[i], weight);
                trust[i] = Weighted(trust[i], t[i], weight);
                pruning[i] = Weighted(pruning[i], p[i], weight);
            }
        }

        return (rank, trust, pruning);
    }

    private static ushort Weighted(ushort existing, ushort added, U64F64 weight)
    {
        var value = U64F64.FromNum(existing).SaturatingAdd(U64F64.FromNum(added).SaturatingMul(weight)).SaturatingToU64();
        return value > ushort.MaxValue ? ushort.MaxValue : (ushort)value;
    }
}
