using Bittensor.Ledger.Consensus.FixedPoint;
using static Bittensor.Ledger.Consensus.Kernels.SparseRows;

namespace Bittensor.Ledger.Consensus.Yuma;

/// <summary>Mechanisms (sub-subnets): split the epoch emission, run one epoch per mechanism, aggregate (spec §3.5).</summary>
public static class YumaMechanisms
{
    /// <summary>
    /// With a split (u16 shares of 65535): part_m = floor(alpha·split_m / 65535) in u128, padded with 0 to the count;
    /// without one: floor(alpha / count) each. The rounding remainder goes to mechanism 0.
    /// </summary>
    /// <remarks>Port of subnets/mechanism.rs split_emissions.</remarks>
    public static ulong[] SplitEmissions(ulong alpha, int count, IReadOnlyList<ushort>? split = null)
    {
        if (count <= 0)
        {
            return [];
        }

        var parts = new ulong[count];
        if (split is null)
        {
            for (int m = 0; m < count; m++)
            {
                parts[m] = alpha / (ulong)count;
            }
        }
        else
        {
            for (int m = 0; m < count && m < split.Count; m++)
            {
                parts[m] = (ulong)((UInt128)alpha * split[m] / ushort.MaxValue);
            }
        }

        UInt128 sum = 0;
        foreach (var p in parts)
        {
            sum += p;
        }

        if (sum < alpha)
        {
            parts[0] += (ulong)(alpha - sum);
        }

        return parts;
    }

    /// <summary>
    /// Runs the epoch once per mechanism with its share of <paramref name="alpha"/> and aggregates per uid: server and
    /// validator emissions summed; the combined Emission and the u16 terms as floor(existing + added·w_m) with
    /// w_m = part_m / alpha (U64F64; for alpha = 0, safe_div_or gives mechanism 0 the weight 1 and the others 0);
    /// booleans OR-ed. Incentive is not aggregated by the reference (only mechanism 0's value survives). Bonds stay per
    /// mechanism.
    /// </summary>
    /// <remarks>mechanism.rs epoch_with_mechanisms, the same from spec 320 to HEAD (weighted_acc_alpha for emission).</remarks>
    public static (YumaOutput Aggregate, YumaOutput[] PerMechanism) Run(IReadOnlyList<YumaInput> mechanisms, ulong alpha, IReadOnlyList<ushort>? split = null)
    {
        ArgumentNullException.ThrowIfNull(mechanisms);
        var parts = SplitEmissions(alpha, mechanisms.Count, split);
        var outputs = new YumaOutput[mechanisms.Count];
        for (int m = 0; m < mechanisms.Count; m++)
        {
            outputs[m] = YumaEpoch.Run(mechanisms[m] with { RaoEmission = parts[m] });
        }

        int n = mechanisms.Count == 0 ? 0 : mechanisms[0].N;
        var agg = new YumaOutput
        {
            StakeWeight = new ushort[n],
            Consensus = new ushort[n],
            Incentive = outputs.Length > 0 ? (ushort[])outputs[0].Incentive.Clone() : [],
            Dividends = new ushort[n],
            ValidatorTrust = new ushort[n],
            ServerEmission = new ulong[n],
            ValidatorEmission = new ulong[n],
            Emission = new ulong[n],
            Active = new bool[n],
            NewValidatorPermit = new bool[n],
            Bonds = outputs.Length > 0 ? outputs[0].Bonds : [],
        };
        for (int m = 0; m < outputs.Length; m++)
        {
            var o = outputs[m];
            var weight = alpha == 0 ? (m == 0 ? U64F64.One : U64F64.Zero) : U64F64.FromNum(parts[m]).SafeDiv(U64F64.FromNum(alpha));
            for (int i = 0; i < n && i < o.StakeWeight.Length; i++)
            {
                agg.ServerEmission[i] = SaturatingAdd(agg.ServerEmission[i], o.ServerEmission[i]);
                agg.ValidatorEmission[i] = SaturatingAdd(agg.ValidatorEmission[i], o.ValidatorEmission[i]);
                agg.Emission[i] = WeightedAlpha(agg.Emission[i], o.Emission[i], weight);
                agg.StakeWeight[i] = Weighted(agg.StakeWeight[i], o.StakeWeight[i], weight);
                agg.Consensus[i] = Weighted(agg.Consensus[i], o.Consensus[i], weight);
                agg.Dividends[i] = Weighted(agg.Dividends[i], o.Dividends[i], weight);
                agg.ValidatorTrust[i] = Weighted(agg.ValidatorTrust[i], o.ValidatorTrust[i], weight);
                agg.Active[i] |= o.Active[i];
                agg.NewValidatorPermit[i] |= o.NewValidatorPermit[i];
            }
        }

        return (agg, outputs);
    }

    private static ushort Weighted(ushort existing, ushort added, U64F64 weight)
    {
        ulong value = U64F64.FromNum(existing).SaturatingAdd(U64F64.FromNum(added).SaturatingMul(weight)).SaturatingToU64();
        return value > ushort.MaxValue ? ushort.MaxValue : (ushort)value;
    }

    private static ulong WeightedAlpha(ulong existing, ulong added, U64F64 weight) =>
        U64F64.FromNum(existing).SaturatingAdd(U64F64.FromNum(added).SaturatingMul(weight)).SaturatingToU64();
}
