using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Kernels;
using static Bittensor.Ledger.Consensus.Kernels.SparseRows;

namespace Bittensor.Ledger.Consensus.Yuma;

/// <summary>
/// The sparse Yuma Consensus epoch of subtensor (<c>run_epoch.rs epoch_mechanism</c>), bit-exact: classic bonds,
/// Yuma3 bonds, liquid alpha, stake threshold, owner uid rules and the commit-reveal column mask (spec §2–§3, §6).
/// </summary>
public static class YumaEpoch
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

        YumaMath.InplaceNormalize64(filtered);
        var stake = new I32F32[n];
        YumaMath.VecFixed64ToFixed32(filtered, stake);

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
        YumaMath.InplaceNormalize(activeStake);

        // The epoch's matrices live in one flat layout over pooled buffers (CsrMatrix), all returned before Run does.
        var matrices = new List<CsrMatrix>(6);
        try
        {
            return RunMatrices(input, n, stake, activeStake, newPermit, active, forbids, matrices);
        }
        finally
        {
            foreach (var m in matrices)
            {
                m.Dispose();
            }
        }
    }

    private static YumaOutput RunMatrices(
        YumaInput input, int n, I32F32[] stake, I32F32[] activeStake, bool[] newPermit, bool[] active, bool[] forbids,
        List<CsrMatrix> matrices)
    {
        var hp = input.Hyperparameters;
        int? owner = hp.OwnerUid;

        // W1–W6. Weights: read, row mask, diagonal, outdated and commit-reveal masks and row normalization in one pass.
        var weights = ReadMaskedWeights(input, n, forbids, owner ?? -1, matrices);
        var weightsForTrace = input.Trace ? weights.ToJagged() : null;

        // W7–W12. Consensus, clipping, validator trust, incentive, weights for bonds.
        var kappa = YumaMath.U16ProportionToFixed(hp.Kappa);
        var consensus = new I32F32[n];
        YumaMath.WeightedMedianColSparse(activeStake, weights, n, kappa, consensus);
        var clipped = Track(matrices, new CsrMatrix(n, weights.Count));
        var validatorTrust = new I32F32[n];
        var incentive = new I32F32[n];
        YumaMath.ColClipRowSumMatmul(weights, consensus, activeStake, clipped, validatorTrust, incentive);
        YumaMath.InplaceNormalize(incentive);
        var bondsPenalty = YumaMath.U16ProportionToFixed(hp.BondsPenalty);
        CsrMatrix weightsForBonds;
        if (bondsPenalty.IsZero)
        {
            weightsForBonds = weights;
        }
        else if (bondsPenalty == I32F32.One)
        {
            weightsForBonds = clipped;
        }
        else
        {
            // Every clipped entry has its column among the weights' columns: the union is the weights' entry count.
            weightsForBonds = Track(matrices, new CsrMatrix(n, weights.Count));
            YumaMath.InterpolateSparse(weights, clipped, n, bondsPenalty, weightsForBonds);
        }

        // B0 / Y0.
        ulong lastTempo = hp.LastMechanismStepBlock == 0
            ? SaturatingSub(input.CurrentBlock, hp.Tempo)
            : SaturatingAdd(hp.LastMechanismStepBlock, 1);

        var dividends = new I32F32[n];
        (ushort Col, I32F32 Val)[][]? emaForTrace = null;
        (ushort Col, I32F32 Val)[][]? bondsDeltaForTrace = null;
        (ushort Col, ushort Val)[][] bondsOut;
        if (hp.Yuma3)
        {
            var bonds = ReadBonds(input.Bonds, n, proportion: true, lastTempo, input.BlockAtRegistration);
            var wfb = weightsForBonds.ToJagged();
            (ushort Col, I32F32 Val)[][] ema;
            bool anyConsensus = Array.Exists(consensus, static c => !c.IsZero);
            if (hp.LiquidAlpha && anyConsensus)
            {
                ema = LiquidAlpha.EmaBonds(
                    wfb, bonds, consensus,
                    YumaMath.U16ProportionToFixed(hp.AlphaLow), YumaMath.U16ProportionToFixed(hp.AlphaHigh),
                    I32F32.FromNum(hp.AlphaSigmoidSteepness));
            }
            else
            {
                var bma = I64F64.SaturatingFromNum(hp.BondsMovingAverage).SaturatingDiv(Million);
                var alpha = I32F32.One.SaturatingSub(I32F32.SaturatingFromNum(bma));
                ema = YumaMath.MatEmaSparse(wfb, bonds, alpha);
            }

            // Y4–Y5: ema_norm is read once, so each entry is normalized as it is read instead of in a copy.
            var totalBondsPerValidator = new I32F32[n];
            YumaMath.ColNormalizedMatVecMulRowSum(ema, n, incentive, totalBondsPerValidator);
            YumaMath.VecMul(totalBondsPerValidator, activeStake, dividends);
            YumaMath.InplaceNormalize(dividends);
            if (input.Trace)
            {
                bondsDeltaForTrace = EmptyRows(n);
                emaForTrace = DeepCopy(ema);
            }

            bondsOut = StoredBonds(ema, newPermit);
        }
        else
        {
            // B3 (column-normalized bonds) and B4 (column-normalized ΔB) are not materialized: the EMA divides each operand
            // entry it reads by its column sum. Only the trace needs ΔB itself.
            var bondsColSum = new I32F32[n];
            var bonds = ReadBondsColSum(input.Bonds, n, lastTempo, input.BlockAtRegistration, bondsColSum, matrices);
            // weights_for_bonds is read only here (the traced weights were copied above): its entries are scaled in place.
            var deltaColSum = new I32F32[n];
            YumaMath.RowHadamardInPlaceColSum(weightsForBonds, activeStake, deltaColSum);
            var bondsDelta = weightsForBonds;
            if (input.Trace)
            {
                YumaMath.DivideByColumn(bondsDelta, deltaColSum);
                bondsDeltaForTrace = bondsDelta.ToJagged();
            }

            var bma = I64F64.SaturatingFromNum(hp.BondsMovingAverage).SafeDiv(Million);
            var alpha = I32F32.One.SaturatingSub(I32F32.SaturatingFromNum(bma));
            var ema = Track(matrices, new CsrMatrix(n, bondsDelta.Count + bonds.Count));
            var colSum = new I32F32[n];
            YumaMath.MatEmaSparseColSum(bondsDelta, input.Trace ? null : deltaColSum, bonds, bondsColSum, alpha, ema, colSum);
            var colMax = new I32F32[n];
            YumaMath.DivideByColumnMatmulTransposeColMax(ema, colSum, incentive, dividends, colMax);
            YumaMath.InplaceNormalize(dividends);
            if (input.Trace)
            {
                emaForTrace = ema.ToJagged();
            }

            bondsOut = StoredBondsMaxUpscaled(ema, colMax, newPermit);
        }

        // E1–E3. Normalized emission.
        var combined = new I32F32[n];
        for (int i = 0; i < n; i++)
        {
            combined[i] = incentive[i].SaturatingAdd(dividends[i]);
        }

        var emissionSum = YumaMath.Sum(combined);
        var nSE = (I32F32[])incentive.Clone();
        var nVE = (I32F32[])dividends.Clone();
        var nCE = (I32F32[])combined.Clone();
        YumaMath.InplaceNormalizeUsingSum(nSE, emissionSum);
        YumaMath.InplaceNormalizeUsingSum(nVE, emissionSum);
        YumaMath.InplaceNormalize(nCE);
        if (emissionSum.IsZero)
        {
            var fallback = YumaMath.IsZero(activeStake) ? stake : activeStake;
            nVE = (I32F32[])fallback.Clone();
            nCE = (I32F32[])fallback.Clone();
        }

        // E4–E5. Rao emission, u16 terms.
        var rao = I96F32.SaturatingFromNum(input.RaoEmission);
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
                    Weights = weightsForTrace!,
                    Consensus = consensus,
                    Incentive = incentive,
                    Dividends = dividends,
                    ValidatorTrust = validatorTrust,
                    BondsDelta = bondsDeltaForTrace!,
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

    /// <summary>
    /// W1–W6 fused: get_weights_sparse (rows of uids &lt; n, columns &lt; n, integer-valued, stored order), then
    /// mask_rows_sparse(forbids), mask_diag_sparse(_except_index owner), the outdated mask (last_update_i ≤
    /// block_at_registration_j), the commit-reveal mask when enabled (commit_i &lt; block_at_registration_j, missing
    /// commit = u64::MAX) and inplace_row_normalize_sparse. Every mask is an order-preserving filter on independent
    /// per-entry conditions, so applying them together keeps exactly the same entries in the same order; missing
    /// vector entries read as 0 as in vec_mask_sparse_matrix.
    /// </summary>
    private static CsrMatrix ReadMaskedWeights(YumaInput input, int n, bool[] forbids, int owner, List<CsrMatrix> matrices)
    {
        var rows = input.Weights;
        var lastUpdate = input.LastUpdate;
        var registered = input.BlockAtRegistration;
        var commitBlocks = input.CommitBlocks;
        var result = TrackFor(rows, n, matrices);
        var start = result.Start;
        var col = result.Col;
        var val = result.Val;
        int w = 0;
        for (int i = 0; i < n; i++)
        {
            if (i >= rows.Length || i >= forbids.Length || forbids[i])
            {
                start[i + 1] = w;
                continue;
            }

            ulong updated = i < lastUpdate.Length ? lastUpdate[i] : 0;
            ulong commit = commitBlocks is null ? 0 : i < commitBlocks.Length ? commitBlocks[i] : ulong.MaxValue;
            int rowStart = w;
            long sum = 0;
            foreach (var e in rows[i])
            {
                int j = e.Col;
                if (j >= n || (j == i && i != owner))
                {
                    continue;
                }

                ulong reg = j < registered.Length ? registered[j] : 0;
                if (updated <= reg || (commitBlocks is not null && commit < reg))
                {
                    continue;
                }

                var value = YumaMath.U16ToFixed(e.Val);
                col[w] = e.Col;
                val[w++] = value;
                sum = unchecked(sum + value.Bits);
            }

            if (sum != 0)
            {
                var divide = new I32F32Divisor(I32F32.FromBits(sum));
                for (int p = rowStart; p < w; p++)
                {
                    val[p] = divide.SafeDivide(val[p]);
                }
            }

            start[i + 1] = w;
        }

        return result;
    }

    /// <summary>
    /// Classic bonds: <see cref="ReadBonds"/> (integer-valued) into the flat layout, fused with the column sums
    /// (saturating, row-major, columns &lt; n) of inplace_col_normalize_sparse into <paramref name="colSum"/>.
    /// </summary>
    private static CsrMatrix ReadBondsColSum(
        (ushort Col, ushort Val)[][] rows, int n, ulong lastTempo, ulong[] registered, I32F32[] colSum, List<CsrMatrix> matrices)
    {
        var result = TrackFor(rows, n, matrices);
        var start = result.Start;
        var col = result.Col;
        var val = result.Val;
        Array.Clear(colSum);
        int w = 0;
        for (int i = 0; i < n; i++)
        {
            if (i < rows.Length)
            {
                foreach (var e in rows[i])
                {
                    ulong reg = e.Col < registered.Length ? registered[e.Col] : 0;
                    if (lastTempo <= reg)
                    {
                        continue;
                    }

                    var value = YumaMath.U16ToFixed(e.Val);
                    col[w] = e.Col;
                    val[w++] = value;
                    if (e.Col < colSum.Length)
                    {
                        colSum[e.Col] = colSum[e.Col].SaturatingAdd(value);
                    }
                }
            }

            start[i + 1] = w;
        }

        return result;
    }

    /// <summary>A tracked matrix of <paramref name="n"/> rows with room for every entry of the first n input rows.</summary>
    private static CsrMatrix TrackFor((ushort Col, ushort Val)[][] rows, int n, List<CsrMatrix> matrices)
    {
        int capacity = 0;
        for (int i = 0; i < n && i < rows.Length; i++)
        {
            capacity += rows[i].Length;
        }

        return Track(matrices, new CsrMatrix(n, capacity));
    }

    private static CsrMatrix Track(List<CsrMatrix> matrices, CsrMatrix matrix)
    {
        matrices.Add(matrix);
        return matrix;
    }

    /// <summary>E6: the ema row (fixed_proportion_to_u16) for uids with a new permit, an empty row for the others.</summary>
    private static (ushort Col, ushort Val)[][] StoredBonds((ushort Col, I32F32 Val)[][] ema, bool[] newPermit)
    {
        var bondsOut = new (ushort Col, ushort Val)[newPermit.Length][];
        for (int i = 0; i < newPermit.Length; i++)
        {
            if (!newPermit[i])
            {
                bondsOut[i] = [];
                continue;
            }

            var row = ema[i];
            var stored = AllocateRow<(ushort Col, ushort Val)>(row.Length);
            for (int k = 0; k < row.Length; k++)
            {
                stored[k] = (row[k].Col, YumaMath.FixedProportionToU16(row[k].Val));
            }

            bondsOut[i] = stored;
        }

        return bondsOut;
    }

    /// <summary>
    /// B8 + E6 for classic bonds: inplace_col_max_upscale_sparse by the given column maxima, then fixed_proportion_to_u16,
    /// for the rows that are stored (uids with a new permit); the other rows' upscaled values are never read.
    /// </summary>
    private static (ushort Col, ushort Val)[][] StoredBondsMaxUpscaled(CsrMatrix ema, I32F32[] colMax, bool[] newPermit)
    {
        // Rented: 4096 divisors (32 bytes each) would otherwise be a large-object allocation per epoch.
        var divide = System.Buffers.ArrayPool<I32F32Divisor>.Shared.Rent(colMax.Length);
        for (int j = 0; j < colMax.Length; j++)
        {
            divide[j] = new I32F32Divisor(colMax[j]);
        }

        var start = ema.Start;
        var col = ema.Col;
        var val = ema.Val;
        var bondsOut = new (ushort Col, ushort Val)[newPermit.Length][];
        for (int i = 0; i < newPermit.Length; i++)
        {
            if (!newPermit[i])
            {
                bondsOut[i] = [];
                continue;
            }

            int s = start[i];
            var stored = AllocateRow<(ushort Col, ushort Val)>(start[i + 1] - s);
            for (int k = 0; k < stored.Length; k++)
            {
                int j = col[s + k];
                var v = val[s + k];
                if (j < colMax.Length && !colMax[j].IsZero)
                {
                    v = divide[j].SafeDivide(v);
                }

                stored[k] = ((ushort)j, YumaMath.FixedProportionToU16(v));
            }

            bondsOut[i] = stored;
        }

        System.Buffers.ArrayPool<I32F32Divisor>.Shared.Return(divide);
        return bondsOut;
    }

    /// <summary>
    /// get_bonds_sparse (integer-valued) or get_bonds_sparse_fixed_proportion (u16/65535), fused with the re-registration
    /// mask scalar_vec_mask_sparse_matrix(last_tempo ≤ block_at_registration_j, missing = 0). Unlike weights, the
    /// reference does not filter bond columns ≥ n; they are kept (they can affect the liquid-alpha merge walk) and
    /// every later kernel ignores them.
    /// </summary>
    private static (ushort Col, I32F32 Val)[][] ReadBonds(
        (ushort Col, ushort Val)[][] rows, int n, bool proportion, ulong lastTempo, ulong[] registered)
    {
        var result = new (ushort Col, I32F32 Val)[n][];
        (ushort Col, I32F32 Val)[] buffer = [];
        for (int i = 0; i < n; i++)
        {
            var row = i < rows.Length ? rows[i] : [];
            if (buffer.Length < row.Length)
            {
                buffer = new (ushort Col, I32F32 Val)[Math.Max(row.Length, 2 * buffer.Length)];
            }

            int count = 0;
            foreach (var e in row)
            {
                ulong reg = e.Col < registered.Length ? registered[e.Col] : 0;
                if (lastTempo <= reg)
                {
                    continue;
                }

                buffer[count++] = (e.Col, proportion ? YumaMath.U16ProportionToFixed(e.Val) : YumaMath.U16ToFixed(e.Val));
            }

            result[i] = CopyRow(buffer.AsSpan(0, count));
        }

        return result;
    }
}
