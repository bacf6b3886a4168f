using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

public static partial class YumaMath
{
    /// <summary>Each row divided (safe_div) by its plain sum when the sum is non-zero.</summary>
    /// <remarks>Port of math.rs inplace_row_normalize_sparse.</remarks>
    public static void InplaceRowNormalizeSparse((ushort Col, I32F32 Val)[][] matrix)
    {
        foreach (var row in matrix)
        {
            long s = 0;
            foreach (var e in row)
            {
                s = unchecked(s + e.Val.Bits);
            }

            if (s == 0)
            {
                continue;
            }

            var divide = new I32F32Divisor(I32F32.FromBits(s));
            for (int k = 0; k < row.Length; k++)
            {
                row[k].Val = divide.SafeDivide(row[k].Val);
            }
        }
    }

    /// <summary>r_i = Σ_j m_ij (plain sum).</summary>
    /// <remarks>Port of math.rs row_sum_sparse.</remarks>
    public static void RowSumSparse((ushort Col, I32F32 Val)[][] matrix, Span<I32F32> destination)
    {
        for (int i = 0; i < matrix.Length; i++)
        {
            long s = 0;
            foreach (var e in matrix[i])
            {
                s = unchecked(s + e.Val.Bits);
            }

            destination[i] = I32F32.FromBits(s);
        }
    }
}
