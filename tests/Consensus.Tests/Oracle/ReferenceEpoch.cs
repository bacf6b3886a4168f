using Bittensor.Ledger.Consensus.Kernels;
using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

/// <summary>
/// Test oracle: YumaEpoch.Run as it was before its optimization (commit eb23329), kept verbatim to compare the optimized
/// epoch against bit for bit. The sparse Yuma Consensus epoch of subtensor (<c>run_epoch.rs epoch_mechanism</c>), bit-exact: classic bonds,
/// Yuma3 bonds, liquid alpha, stake threshold, owner uid rules and the commit-reveal column mask (spec §2–§3, §6).
/// Only the kernels the optimization rewrote are frozen in <see cref="ReferenceMath"/>; the masks, interpolation, top-k
/// and matrix-vector kernels it left as they were are called from <c>YumaMath</c> itself.
/// </summary>
internal static class ReferenceEpoch
{
    private static readonly I64F64 Million = I64F64.FromNum(1_000_000);

    /// <summary>Runs one epoch. Pure: no clock, IO or randomness; the input is not modified.</summary>
    public static YumaOutput Run(YumaInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var hp = input.Hyperparameters;
        int n = input.N;
        int? owner = hp.OwnerUid;

        // 1. Activity (last_update may be shorter than n: missing entries are inactive; empty disables the mask).
        var lastUpdate = input.LastUpdate;
        var inactive = new bool[lastUpdate.Length];
        for (int i = 0; i < lastUpdate.Length; i++)
        {
            inactive[i] = SaturatingAdd(lastUpdate[i], hp.ActivityCutoff) < input.CurrentBlock;
        }

        var active = new bool[n];
        for (int i = 0; i < n; i++)
        {
            active[i] = i < inactive.Length && !inactive[i];
        }

        // 2–3. Stake: threshold filter (owner exempt), I64F64 normalization, floor to I32F32.
        var filtered = new I64F64[n];
        for (int i = 0; i < n; i++)
        {
            var total = TotalStake(input, i);
            filtered[i] = owner != i && total.SaturatingToU64() < hp.StakeThreshold ? I64F64.Zero : total;
        }

        ReferenceMath.InplaceNormalize64(filtered);
        var stake = new I32F32[n];
        ReferenceMath.VecFixed64ToFixed32(filtered, stake);

        // 4–5. Permits: stored permits (previous epoch) gate this epoch; new permits are the top-k non-zero stakes.
        var permits = (bool[])input.ValidatorPermit.Clone();
        if (owner is int o && o < permits.Length)
        {
            permits[o] = true;
        }

        var forbids = new bool[permits.Length];
        for (int i = 0; i < permits.Length; i++)
        {
            forbids[i] = !permits[i];
        }

        var newPermit = new bool[n];
        YumaMath.IsTopkNonzero(stake, hp.MaxAllowedValidators, newPermit);
        if (owner is int ow && ow < n)
        {
            newPermit[ow] = true;
        }

        // 6. Active stake.
        var activeStake = (I32F32[])stake.Clone();
        YumaMath.InplaceMaskVector(inactive, activeStake);
        YumaMath.InplaceMaskVector(forbids, activeStake);
        ReferenceMath.InplaceNormalize(activeStake);

        // W1–W6. Weights.
        var weights = ReadWeights(input.Weights, n);
        weights = YumaMath.MaskRowsSparse(forbids, weights);
        weights = YumaMath.MaskDiagSparse(weights, owner ?? -1);
        weights = YumaMath.VecMaskSparseMatrix(weights, lastUpdate, input.BlockAtRegistration, static (updated, registered) => updated <= registered);
        if (input.CommitBlocks is { } commitBlocks)
        {
            var padded = new ulong[n];
            for (int i = 0; i < n; i++)
            {
                padded[i] = i < commitBlocks.Length ? commitBlocks[i] : ulong.MaxValue;
            }

            weights = YumaMath.VecMaskSparseMatrix(weights, padded, input.BlockAtRegistration, static (commit, registered) => commit < registered);
        }

        ReferenceMath.InplaceRowNormalizeSparse(weights);

        // W7–W12. Consensus, clipping, validator trust, incentive, weights for bonds.
        var kappa = ReferenceMath.U16ProportionToFixed(hp.Kappa);
        var consensus = new I32F32[n];
        ReferenceMath.WeightedMedianColSparse(activeStake, weights, n, kappa, consensus);
        var clipped = ReferenceMath.ColClipSparse(weights, consensus);
        var validatorTrust = new I32F32[n];
        ReferenceMath.RowSumSparse(clipped, validatorTrust);
        var incentive = new I32F32[n];
        YumaMath.MatmulSparse(clipped, activeStake, incentive);
        ReferenceMath.InplaceNormalize(incentive);
        var bondsPenalty = ReferenceMath.U16ProportionToFixed(hp.BondsPenalty);
        var weightsForBonds = YumaMath.InterpolateSparse(weights, clipped, n, bondsPenalty);

        // B0 / Y0.
        ulong lastTempo = hp.LastMechanismStepBlock == 0
            ? SaturatingSub(input.CurrentBlock, hp.Tempo)
            : SaturatingAdd(hp.LastMechanismStepBlock, 1);

        var dividends = new I32F32[n];
        (ushort Col, I32F32 Val)[][] ema;
        (ushort Col, I32F32 Val)[][] bondsDelta;
        if (hp.Yuma3)
        {
            var bonds = ReadBonds(input.Bonds, n, proportion: true);
            bonds = YumaMath.ScalarVecMaskSparseMatrix(bonds, lastTempo, input.BlockAtRegistration, static (tempo, registered) => tempo <= registered);
            bool anyConsensus = Array.Exists(consensus, static c => !c.IsZero);
            if (hp.LiquidAlpha && anyConsensus)
            {
                ema = ReferenceLiquidAlpha.EmaBonds(
                    weightsForBonds, bonds, consensus,
                    ReferenceMath.U16ProportionToFixed(hp.AlphaLow), ReferenceMath.U16ProportionToFixed(hp.AlphaHigh),
                    I32F32.FromNum(hp.AlphaSigmoidSteepness));
            }
            else
            {
                var bma = I64F64.SaturatingFromNum(hp.BondsMovingAverage).SaturatingDiv(Million);
                var alpha = I32F32.One.SaturatingSub(I32F32.SaturatingFromNum(bma));
                ema = ReferenceMath.MatEmaSparse(weightsForBonds, bonds, alpha);
            }

            var emaNorm = DeepCopy(ema);
            ReferenceMath.InplaceColNormalizeSparse(emaNorm, n);
            var totalBondsPerValidator = new I32F32[n];
            YumaMath.MatVecMulSparseRowSum(emaNorm, incentive, totalBondsPerValidator);
            YumaMath.VecMul(totalBondsPerValidator, activeStake, dividends);
            ReferenceMath.InplaceNormalize(dividends);
            bondsDelta = EmptyRows(n);
        }
        else
        {
            var bonds = ReadBonds(input.Bonds, n, proportion: false);
            bonds = YumaMath.ScalarVecMaskSparseMatrix(bonds, lastTempo, input.BlockAtRegistration, static (tempo, registered) => tempo <= registered);
            ReferenceMath.InplaceColNormalizeSparse(bonds, n);
            bondsDelta = YumaMath.RowHadamardSparse(weightsForBonds, activeStake);
            ReferenceMath.InplaceColNormalizeSparse(bondsDelta, n);
            var bma = I64F64.SaturatingFromNum(hp.BondsMovingAverage).SafeDiv(Million);
            var alpha = I32F32.One.SaturatingSub(I32F32.SaturatingFromNum(bma));
            ema = ReferenceMath.MatEmaSparse(bondsDelta, bonds, alpha);
            ReferenceMath.InplaceColNormalizeSparse(ema, n);
            YumaMath.MatmulTransposeSparse(ema, incentive, dividends);
            ReferenceMath.InplaceNormalize(dividends);
        }

        var emaForTrace = input.Trace ? DeepCopy(ema) : null;
        if (!hp.Yuma3)
        {
            ReferenceMath.InplaceColMaxUpscaleSparse(ema, n);
        }

        // E1–E3. Normalized emission.
        var combined = new I32F32[n];
        for (int i = 0; i < n; i++)
        {
            combined[i] = incentive[i].SaturatingAdd(dividends[i]);
        }

        var emissionSum = ReferenceMath.Sum(combined);
        var nSE = (I32F32[])incentive.Clone();
        var nVE = (I32F32[])dividends.Clone();
        var nCE = (I32F32[])combined.Clone();
        ReferenceMath.InplaceNormalizeUsingSum(nSE, emissionSum);
        ReferenceMath.InplaceNormalizeUsingSum(nVE, emissionSum);
        ReferenceMath.InplaceNormalize(nCE);
        if (emissionSum.IsZero)
        {
            var fallback = ReferenceMath.IsZero(activeStake) ? stake : activeStake;
            nVE = (I32F32[])fallback.Clone();
            nCE = (I32F32[])fallback.Clone();
        }

        // E4–E6. Rao emission, u16 terms, stored bonds.
        var rao = I96F32.SaturatingFromNum(input.RaoEmission);
        var bondsOut = new (ushort Col, ushort Val)[n][];
        for (int i = 0; i < n; i++)
        {
            if (!newPermit[i])
            {
                bondsOut[i] = [];
                continue;
            }

            var row = ema[i];
            var stored = new (ushort Col, ushort Val)[row.Length];
            for (int k = 0; k < row.Length; k++)
            {
                stored[k] = (row[k].Col, ReferenceMath.FixedProportionToU16(row[k].Val));
            }

            bondsOut[i] = stored;
        }

        return new YumaOutput
        {
            StakeWeight = ToU16(stake),
            Consensus = ToU16(consensus),
            Incentive = ToU16(incentive),
            Dividends = ToU16(dividends),
            ValidatorTrust = ToU16(validatorTrust),
            ServerEmission = ToRao(nSE, rao),
            ValidatorEmission = ToRao(nVE, rao),
            Emission = ToRao(nCE, rao),
            Active = active,
            NewValidatorPermit = newPermit,
            Bonds = bondsOut,
            Trace = input.Trace
                ? new YumaTrace
                {
                    Stake = stake,
                    ActiveStake = activeStake,
                    Weights = weights,
                    Consensus = consensus,
                    Incentive = incentive,
                    Dividends = dividends,
                    ValidatorTrust = validatorTrust,
                    BondsDelta = bondsDelta,
                    EmaBonds = emaForTrace!,
                    NormalizedServerEmission = nSE,
                    NormalizedValidatorEmission = nVE,
                    NormalizedCombinedEmission = nCE,
                }
                : null,
        };
    }

    /// <summary>total_stake_i = I64F64(alpha_i) + I64F64(tao_i)·tao_weight (saturating), or the given I64F64 vector.</summary>
    private static I64F64 TotalStake(YumaInput input, int i)
    {
        if (input.TotalStake is { } total)
        {
            return i < total.Length ? total[i] : I64F64.Zero;
        }

        var alpha = I64F64.SaturatingFromNum(i < input.StakeAlphaRao.Length ? input.StakeAlphaRao[i] : 0UL);
        if (input.StakeTaoRao is { } tao && i < tao.Length)
        {
            alpha = alpha.SaturatingAdd(I64F64.SaturatingFromNum(tao[i]).SaturatingMul(input.TaoWeight));
        }

        return alpha;
    }

    /// <summary>get_weights_sparse: rows of uids &lt; n, entries with column &lt; n, integer-valued I32F32, stored order.</summary>
    private static (ushort Col, I32F32 Val)[][] ReadWeights((ushort Col, ushort Val)[][] rows, int n)
    {
        var result = new (ushort Col, I32F32 Val)[n][];
        for (int i = 0; i < n; i++)
        {
            var row = i < rows.Length ? rows[i] : [];
            int count = 0;
            foreach (var e in row)
            {
                if (e.Col < n)
                {
                    count++;
                }
            }

            var outRow = new (ushort Col, I32F32 Val)[count];
            int k = 0;
            foreach (var e in row)
            {
                if (e.Col < n)
                {
                    outRow[k++] = (e.Col, ReferenceMath.U16ToFixed(e.Val));
                }
            }

            result[i] = outRow;
        }

        return result;
    }

    /// <summary>
    /// get_bonds_sparse (integer-valued) or get_bonds_sparse_fixed_proportion (u16/65535). Unlike weights, the
    /// reference does not filter bond columns ≥ n; they are kept (they can affect the liquid-alpha merge walk) and
    /// every later kernel ignores them.
    /// </summary>
    private static (ushort Col, I32F32 Val)[][] ReadBonds((ushort Col, ushort Val)[][] rows, int n, bool proportion)
    {
        var result = new (ushort Col, I32F32 Val)[n][];
        for (int i = 0; i < n; i++)
        {
            var row = i < rows.Length ? rows[i] : [];
            var outRow = new (ushort Col, I32F32 Val)[row.Length];
            for (int k = 0; k < row.Length; k++)
            {
                outRow[k] = (row[k].Col, proportion ? ReferenceMath.U16ProportionToFixed(row[k].Val) : ReferenceMath.U16ToFixed(row[k].Val));
            }

            result[i] = outRow;
        }

        return result;
    }

    private static (ushort Col, I32F32 Val)[][] DeepCopy((ushort Col, I32F32 Val)[][] rows)
    {
        var copy = new (ushort Col, I32F32 Val)[rows.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            copy[i] = ((ushort Col, I32F32 Val)[])rows[i].Clone();
        }

        return copy;
    }

    private static (ushort Col, I32F32 Val)[][] EmptyRows(int n)
    {
        var rows = new (ushort Col, I32F32 Val)[n][];
        Array.Fill(rows, []);
        return rows;
    }

    private static ushort[] ToU16(I32F32[] values)
    {
        var result = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = ReferenceMath.FixedProportionToU16(values[i]);
        }

        return result;
    }

    private static ulong[] ToRao(I32F32[] normalized, I96F32 rao)
    {
        var result = new ulong[normalized.Length];
        for (int i = 0; i < normalized.Length; i++)
        {
            result[i] = I96F32.SaturatingFromNum(normalized[i]).SaturatingMul(rao).SaturatingToU64();
        }

        return result;
    }

    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    private static ulong SaturatingSub(ulong a, ulong b) => a < b ? 0 : a - b;
}
