using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

internal static partial class ReferenceMath
{
    /// <summary>r_j = Σ_i saturating_add(v_i · m_ij) over rows in order; columns ≥ destination length ignored.</summary>
    /// <remarks>Port of math.rs matmul_sparse.</remarks>
    public static void MatmulSparse((ushort Col, I32F32 Val)[][] matrix, ReadOnlySpan<I32F32> vector, Span<I32F32> destination)
    {
        destination.Clear();
        for (int i = 0; i < matrix.Length && i < vector.Length; i++)
        {
            var vi = vector[i];
            foreach (var e in matrix[i])
            {
                if (e.Col < destination.Length)
                {
                    destination[e.Col] = destination[e.Col].SaturatingAdd(vi.SaturatingMul(e.Val));
                }
            }
        }
    }

    /// <summary>r_i = Σ_j saturating_add(v_j · m_ij).</summary>
    /// <remarks>Port of math.rs matmul_transpose_sparse.</remarks>
    public static void MatmulTransposeSparse((ushort Col, I32F32 Val)[][] matrix, ReadOnlySpan<I32F32> vector, Span<I32F32> destination)
    {
        destination.Clear();
        for (int i = 0; i < matrix.Length; i++)
        {
            var acc = I32F32.Zero;
            foreach (var e in matrix[i])
            {
                if (e.Col < vector.Length)
                {
                    acc = acc.SaturatingAdd(vector[e.Col].SaturatingMul(e.Val));
                }
            }

            destination[i] = acc;
        }
    }

    /// <summary>m_ij · v_i (saturating_mul), sparsity pattern kept.</summary>
    /// <remarks>Port of math.rs row_hadamard_sparse.</remarks>
    public static (ushort Col, I32F32 Val)[][] RowHadamardSparse((ushort Col, I32F32 Val)[][] matrix, ReadOnlySpan<I32F32> vector)
    {
        var result = new (ushort Col, I32F32 Val)[matrix.Length][];
        for (int i = 0; i < matrix.Length; i++)
        {
            var row = matrix[i];
            var vi = i < vector.Length ? vector[i] : I32F32.Zero;
            var outRow = new (ushort Col, I32F32 Val)[row.Length];
            for (int k = 0; k < row.Length; k++)
            {
                outRow[k] = (row[k].Col, row[k].Val.SaturatingMul(vi));
            }

            result[i] = outRow;
        }

        return result;
    }

    /// <summary>Row sums of m_ij · v_j (saturating_mul, zero products dropped, plain sum): fused mat_vec_mul_sparse + row_sum_sparse.</summary>
    /// <remarks>Port of math.rs mat_vec_mul_sparse followed by row_sum_sparse.</remarks>
    public static void MatVecMulSparseRowSum((ushort Col, I32F32 Val)[][] matrix, ReadOnlySpan<I32F32> vector, Span<I32F32> destination)
    {
        for (int i = 0; i < matrix.Length; i++)
        {
            long s = 0;
            foreach (var e in matrix[i])
            {
                if (e.Col < vector.Length)
                {
                    s = unchecked(s + e.Val.SaturatingMul(vector[e.Col]).Bits);
                }
            }

            destination[i] = I32F32.FromBits(s);
        }
    }

    /// <summary>a_i · b_i with checked_mul, 0 on overflow; length = min of the two.</summary>
    /// <remarks>Port of math.rs vec_mul.</remarks>
    public static void VecMul(ReadOnlySpan<I32F32> a, ReadOnlySpan<I32F32> b, Span<I32F32> destination)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            destination[i] = a[i].CheckedMul(b[i]) ?? I32F32.Zero;
        }
    }
}
