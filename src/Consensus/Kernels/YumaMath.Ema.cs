using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

public static partial class YumaMath
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
        (ushort Col, I32F32 Val)[] merged = [];
        for (int i = 0; i < n; i++)
        {
            var newRow = newRows[i];
            var oldRow = i < oldRows.Length ? oldRows[i] : [];
            if (IsStrictlyAscending(newRow) && IsStrictlyAscending(oldRow))
            {
                // Sorted rows without duplicate columns: a merge gives the accumulator's entries in column order
                // directly (new term first, then the old one added, both saturating, as below).
                if (merged.Length < newRow.Length + oldRow.Length)
                {
                    merged = new (ushort Col, I32F32 Val)[Math.Max(newRow.Length + oldRow.Length, 2 * merged.Length)];
                }

                result[i] = MergeEmaRow(newRow, oldRow, n, alpha, oneMinusAlpha, merged);
                continue;
            }

            cols.Clear();
            foreach (var e in newRow)
            {
                if (e.Col < n)
                {
                    acc[e.Col] = acc[e.Col].SaturatingAdd(alpha.SaturatingMul(e.Val));
                    Touch(touched, cols, e.Col);
                }
            }

            foreach (var e in oldRow)
            {
                if (e.Col < n)
                {
                    acc[e.Col] = acc[e.Col].SaturatingAdd(oneMinusAlpha.SaturatingMul(e.Val));
                    Touch(touched, cols, e.Col);
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

    internal static bool IsStrictlyAscending(ReadOnlySpan<(ushort Col, I32F32 Val)> row)
    {
        for (int k = 1; k < row.Length; k++)
        {
            if (row[k].Col <= row[k - 1].Col)
            {
                return false;
            }
        }

        return true;
    }

    private static (ushort Col, I32F32 Val)[] MergeEmaRow(
        ReadOnlySpan<(ushort Col, I32F32 Val)> newRow, ReadOnlySpan<(ushort Col, I32F32 Val)> oldRow, int n,
        I32F32 alpha, I32F32 oneMinusAlpha, Span<(ushort Col, I32F32 Val)> output)
    {
        int a = 0, b = 0, count = 0;
        while (true)
        {
            int ca = a < newRow.Length && newRow[a].Col < n ? newRow[a].Col : int.MaxValue;
            int cb = b < oldRow.Length && oldRow[b].Col < n ? oldRow[b].Col : int.MaxValue;
            if (ca == int.MaxValue && cb == int.MaxValue)
            {
                break;
            }

            I32F32 v;
            int col;
            if (ca == cb)
            {
                col = ca;
                v = alpha.SaturatingMul(newRow[a++].Val).SaturatingAdd(oneMinusAlpha.SaturatingMul(oldRow[b++].Val));
            }
            else if (ca < cb)
            {
                col = ca;
                v = alpha.SaturatingMul(newRow[a++].Val);
            }
            else
            {
                col = cb;
                v = oneMinusAlpha.SaturatingMul(oldRow[b++].Val);
            }

            if (v > I32F32.Zero)
            {
                output[count++] = ((ushort)col, v);
            }
        }

        return output[..count].ToArray();
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
}
