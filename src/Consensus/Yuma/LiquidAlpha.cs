using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Kernels;

namespace Bittensor.Ledger.Consensus.Yuma;

/// <summary>Liquid alpha (spec §3.2): a per-(validator, miner) EMA coefficient from a sigmoid of the weight/bond gap.</summary>
public static class LiquidAlpha
{
    private static readonly I32F32 Half = I32F32.FromBits(1L << 31);
    private static readonly I32F32 MinusHundred = I32F32.FromNum(-100);

    /// <summary>
    /// d = clamp(w − c, 0, 1) if w ≥ b else clamp(b − w, 0, 1); sig = 1 / (1 + exp_safe((s / −100)·(d − 0.5)));
    /// α = clamp(low + sig·(high − low), low, high). All saturating.
    /// </summary>
    /// <remarks>Port of run_epoch.rs alpha_sigmoid.</remarks>
    public static I32F32 AlphaSigmoid(I32F32 consensus, I32F32 weight, I32F32 bond, I32F32 alphaLow, I32F32 alphaHigh, I32F32 steepness) =>
        AlphaSigmoidWithSlope(consensus, weight, bond, alphaLow, alphaHigh, Slope(steepness));

    /// <summary>k = s saturating_div −100: the same for every entry of an epoch.</summary>
    private static I32F32 Slope(I32F32 steepness) => steepness.SaturatingDiv(MinusHundred);

    private static I32F32 AlphaSigmoidWithSlope(I32F32 consensus, I32F32 weight, I32F32 bond, I32F32 alphaLow, I32F32 alphaHigh, I32F32 slope) =>
        AlphaFromExp(YumaMath.ExpSafe(Exponent(consensus, weight, bond, slope)), alphaLow, alphaHigh);

    /// <summary>The sigmoid's exponent k·(d − 0.5) of <see cref="AlphaSigmoid"/>.</summary>
    private static I32F32 Exponent(I32F32 consensus, I32F32 weight, I32F32 bond, I32F32 slope)
    {
        var diffBuy = Clamp(weight.SaturatingSub(consensus), I32F32.Zero, I32F32.One);
        var diffSell = Clamp(bond.SaturatingSub(weight), I32F32.Zero, I32F32.One);
        var diff = weight >= bond ? diffBuy : diffSell;
        return slope.SaturatingMul(diff.SaturatingSub(Half));
    }

    /// <summary>
    /// α from exp_safe of the exponent. 1 + exp ≥ 1 (exp_safe is never negative), so 1 saturating_div (1 + exp) is the
    /// exact reciprocal <see cref="YumaMath.ReciprocalOfAtLeastOne"/> (never 0, never overflowing).
    /// </summary>
    private static I32F32 AlphaFromExp(I32F32 exp, I32F32 alphaLow, I32F32 alphaHigh)
    {
        var sigmoid = YumaMath.ReciprocalOfAtLeastOne(unchecked((ulong)I32F32.One.SaturatingAdd(exp).Bits));
        var alpha = alphaLow.SaturatingAdd(sigmoid.SaturatingMul(alphaHigh.SaturatingSub(alphaLow)));
        return Clamp(alpha, alphaLow, alphaHigh);
    }

    /// <summary>math.rs clamp_value: below low → low, else above high → high, else unchanged.</summary>
    private static I32F32 Clamp(I32F32 value, I32F32 low, I32F32 high) => value < low ? low : value > high ? high : value;

    /// <summary>
    /// The bonds EMA with liquid alpha (mat_ema_alpha_sparse over the dense alpha matrix of
    /// compute_liquid_alpha_values_sparse), computed row by row. Only the alpha entries that mat_ema_alpha_sparse reads
    /// (the columns of each new row) are evaluated; the merge walk over the stored rows reproduces the reference's
    /// sorted-order peek walk, including its behaviour on rows that are not sorted by column.
    /// </summary>
    public static (ushort Col, I32F32 Val)[][] EmaBonds(
        (ushort Col, I32F32 Val)[][] weights, (ushort Col, I32F32 Val)[][] bonds, ReadOnlySpan<I32F32> consensus,
        I32F32 alphaLow, I32F32 alphaHigh, I32F32 steepness)
    {
        int n = consensus.Length;
        var slope = Slope(steepness);
        var result = new (ushort Col, I32F32 Val)[weights.Length][];
        var alphaRow = new I32F32[n];
        var decay = new I32F32[n];
        var cols = new int[n];
        var wAt = new I32F32[n];
        var seen = new bool[n];
        var exponents = new I32F32[n];
        for (int i = 0; i < weights.Length; i++)
        {
            var wRow = weights[i];
            var bRow = i < bonds.Length ? bonds[i] : [];
            if (wRow.Length == 0)
            {
                result[i] = [];
                continue;
            }

            int count = YumaMath.IsStrictlyAscending(wRow)
                ? AscendingColumns(wRow, n, cols, wAt)
                : SortedColumns(wRow, n, cols, wAt, seen);
            int bp = 0;
            for (int c = 0; c < count; c++)
            {
                int j = cols[c];
                while (bp < bRow.Length && bRow[bp].Col < j)
                {
                    bp++;
                }

                var b = bp < bRow.Length && bRow[bp].Col == j ? bRow[bp].Val : I32F32.Zero;
                exponents[c] = Exponent(consensus[j], wAt[c], b, slope);
            }

            // The exponentials of a whole row at once: their series run interleaved (YumaMath.ExpSafe over a span).
            var exps = exponents.AsSpan(0, count);
            YumaMath.ExpSafe(exps, exps);
            for (int c = 0; c < count; c++)
            {
                alphaRow[cols[c]] = AlphaFromExp(exps[c], alphaLow, alphaHigh);
            }

            result[i] = YumaMath.MatEmaAlphaSparseRow(wRow, bRow, alphaRow, decay);
        }

        return result;
    }

    /// <summary>A row sorted by column without duplicates: its columns &lt; n are already the sorted distinct set.</summary>
    private static int AscendingColumns(ReadOnlySpan<(ushort Col, I32F32 Val)> wRow, int n, Span<int> cols, Span<I32F32> wAt)
    {
        int count = 0;
        foreach (var e in wRow)
        {
            if (e.Col < n)
            {
                cols[count] = e.Col;
                wAt[count++] = e.Val;
            }
        }

        return count;
    }

    /// <summary>
    /// Any other row: the distinct columns &lt; n in ascending order, each with the weight the reference's peek walk
    /// finds for it (the first entry at or after the walk's position with that column; 0 if the walk passed it).
    /// </summary>
    private static int SortedColumns(ReadOnlySpan<(ushort Col, I32F32 Val)> wRow, int n, Span<int> cols, Span<I32F32> wAt, Span<bool> seen)
    {
        int count = 0;
        foreach (var e in wRow)
        {
            if (e.Col < n && !seen[e.Col])
            {
                seen[e.Col] = true;
                cols[count++] = e.Col;
            }
        }

        cols[..count].Sort();
        int wp = 0;
        for (int c = 0; c < count; c++)
        {
            int j = cols[c];
            seen[j] = false;
            while (wp < wRow.Length && wRow[wp].Col < j)
            {
                wp++;
            }

            wAt[c] = wp < wRow.Length && wRow[wp].Col == j ? wRow[wp].Val : I32F32.Zero;
        }

        return count;
    }
}
