using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

internal static partial class ReferenceMath
{
    /// <summary>
    /// Per row, a dense accumulator over columns &lt; rows: acc_j += α·new_ij, then acc_j += (1−α)·old_ij (all saturating);
    /// entries with acc &gt; 0 are emitted in column order.
    /// </summary>
    /// <remarks>Port of math.rs mat_ema_sparse. Only touched columns are visited (untouched ones stay 0, never emitted).</remarks>
    public static (ushort Col, I32F32 Val)[][] MatEmaSparse((ushort Col, I32F32 Val)[][] newRows, (ushort Col, I32F32 Val)[][] oldRows, I32F32 alpha)
    {
        int n = newRows.Length;
        var oneMinusAlpha = I32F32.One.SaturatingSub(alpha);
        var acc = new I32F32[n];
        var touched = new bool[n];
        var cols = new List<int>();
        var result = new (ushort Col, I32F32 Val)[n][];
        var buffer = new List<(ushort Col, I32F32 Val)>();
        for (int i = 0; i < n; i++)
        {
            cols.Clear();
            foreach (var e in newRows[i])
            {
                if (e.Col < n)
                {
                    acc[e.Col] = acc[e.Col].SaturatingAdd(alpha.SaturatingMul(e.Val));
                    Touch(touched, cols, e.Col);
                }
            }

            if (i < oldRows.Length)
            {
                foreach (var e in oldRows[i])
                {
                    if (e.Col < n)
                    {
                        acc[e.Col] = acc[e.Col].SaturatingAdd(oneMinusAlpha.SaturatingMul(e.Val));
                        Touch(touched, cols, e.Col);
                    }
                }
            }

            cols.Sort();
            buffer.Clear();
            foreach (int j in cols)
            {
                if (acc[j] > I32F32.Zero)
                {
                    buffer.Add(((ushort)j, acc[j]));
                }

                acc[j] = I32F32.Zero;
                touched[j] = false;
            }

            result[i] = [.. buffer];
        }

        return result;
    }

    /// <summary>
    /// One row of the per-entry-alpha EMA: dec_j = (1 − A_j)·old_j for the old entries (last duplicate wins), then for each
    /// entry of the new row only: val = min(dec_j + max(A_j·new_j, 0), 1), emitted when &gt; 0, in new-row order.
    /// Old entries on columns absent from the new row are dropped, not decayed.
    /// </summary>
    /// <remarks>Port of math.rs mat_ema_alpha_sparse (one row; <paramref name="alphaRow"/> is the dense row of A,
    /// <paramref name="decayScratch"/> a zeroed buffer of the same length, returned zeroed).</remarks>
    public static (ushort Col, I32F32 Val)[] MatEmaAlphaSparseRow(
        ReadOnlySpan<(ushort Col, I32F32 Val)> newRow,
        ReadOnlySpan<(ushort Col, I32F32 Val)> oldRow,
        ReadOnlySpan<I32F32> alphaRow,
        Span<I32F32> decayScratch)
    {
        int len = alphaRow.Length;
        foreach (var e in oldRow)
        {
            if (e.Col < len)
            {
                decayScratch[e.Col] = I32F32.One.SaturatingSub(alphaRow[e.Col]).SaturatingMul(e.Val);
            }
        }

        int count = 0;
        Span<bool> keep = newRow.Length <= 1024 ? stackalloc bool[newRow.Length] : new bool[newRow.Length];
        var vals = newRow.Length <= 512 ? stackalloc long[newRow.Length] : new long[newRow.Length];
        for (int k = 0; k < newRow.Length; k++)
        {
            var e = newRow[k];
            if (e.Col >= len)
            {
                continue;
            }

            var inc = alphaRow[e.Col].SaturatingMul(e.Val).Max(I32F32.Zero);
            var val = decayScratch[e.Col].SaturatingAdd(inc).Min(I32F32.One);
            if (val > I32F32.Zero)
            {
                keep[k] = true;
                vals[k] = val.Bits;
                count++;
            }
        }

        foreach (var e in oldRow)
        {
            if (e.Col < len)
            {
                decayScratch[e.Col] = I32F32.Zero;
            }
        }

        var result = new (ushort Col, I32F32 Val)[count];
        int w = 0;
        for (int k = 0; k < newRow.Length; k++)
        {
            if (keep[k])
            {
                result[w++] = (newRow[k].Col, I32F32.FromBits(vals[k]));
            }
        }

        return result;
    }

    /// <summary>Whole-matrix form of <see cref="MatEmaAlphaSparseRow"/> with a dense alpha matrix (tests and small inputs).</summary>
    /// <remarks>Port of math.rs mat_ema_alpha_sparse.</remarks>
    public static (ushort Col, I32F32 Val)[][] MatEmaAlphaSparse(
        (ushort Col, I32F32 Val)[][] newRows, (ushort Col, I32F32 Val)[][] oldRows, I32F32[][] alpha)
    {
        if (newRows.Length != oldRows.Length || newRows.Length != alpha.Length)
        {
            return newRows;
        }

        var result = new (ushort Col, I32F32 Val)[newRows.Length][];
        for (int i = 0; i < newRows.Length; i++)
        {
            var scratch = new I32F32[alpha[i].Length];
            result[i] = MatEmaAlphaSparseRow(newRows[i], oldRows[i], alpha[i], scratch);
        }

        return result;
    }

    private static void Touch(bool[] touched, List<int> cols, int j)
    {
        if (!touched[j])
        {
            touched[j] = true;
            cols.Add(j);
        }
    }
}
