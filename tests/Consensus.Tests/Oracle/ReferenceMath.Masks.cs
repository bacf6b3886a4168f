using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

internal static partial class ReferenceMath
{
    /// <summary>v_i = 0 where mask_i; entries beyond the mask count as masked; an empty mask is a no-op.</summary>
    /// <remarks>Port of math.rs inplace_mask_vector.</remarks>
    public static void InplaceMaskVector(ReadOnlySpan<bool> mask, Span<I32F32> vector)
    {
        if (mask.IsEmpty)
        {
            return;
        }

        for (int i = 0; i < vector.Length; i++)
        {
            if (i >= mask.Length || mask[i])
            {
                vector[i] = I32F32.Zero;
            }
        }
    }

    /// <summary>Row i becomes empty where mask_i (missing mask entries count as true).</summary>
    /// <remarks>Port of math.rs mask_rows_sparse.</remarks>
    public static (ushort Col, I32F32 Val)[][] MaskRowsSparse(ReadOnlySpan<bool> mask, (ushort Col, I32F32 Val)[][] matrix)
    {
        var result = new (ushort Col, I32F32 Val)[matrix.Length][];
        for (int i = 0; i < matrix.Length; i++)
        {
            result[i] = i < mask.Length && !mask[i] ? matrix[i] : [];
        }

        return result;
    }

    /// <summary>Drops the diagonal entries (i, i), except on row <paramref name="keepIndex"/> when given.</summary>
    /// <remarks>Port of math.rs mask_diag_sparse / mask_diag_sparse_except_index.</remarks>
    public static (ushort Col, I32F32 Val)[][] MaskDiagSparse((ushort Col, I32F32 Val)[][] matrix, int keepIndex = -1)
    {
        var result = new (ushort Col, I32F32 Val)[matrix.Length][];
        for (int i = 0; i < matrix.Length; i++)
        {
            var row = matrix[i];
            int count = 0;
            foreach (var e in row)
            {
                if (e.Col != i)
                {
                    count++;
                }
            }

            if (i == keepIndex || count == row.Length)
            {
                result[i] = row;
                continue;
            }

            var kept = new (ushort Col, I32F32 Val)[count];
            int k = 0;
            foreach (var e in row)
            {
                if (e.Col != i)
                {
                    kept[k++] = e;
                }
            }

            result[i] = kept;
        }

        return result;
    }

    /// <summary>Drops (i, j) where f(first[i], second[j]); missing vector entries read as 0. Row order kept.</summary>
    /// <remarks>Port of math.rs vec_mask_sparse_matrix.</remarks>
    public static (ushort Col, I32F32 Val)[][] VecMaskSparseMatrix(
        (ushort Col, I32F32 Val)[][] matrix, ReadOnlySpan<ulong> first, ReadOnlySpan<ulong> second, Func<ulong, ulong, bool> maskFn)
    {
        var result = new (ushort Col, I32F32 Val)[matrix.Length][];
        var buffer = new List<(ushort Col, I32F32 Val)>();
        for (int i = 0; i < matrix.Length; i++)
        {
            ulong a = i < first.Length ? first[i] : 0;
            buffer.Clear();
            foreach (var e in matrix[i])
            {
                ulong b = e.Col < second.Length ? second[e.Col] : 0;
                if (!maskFn(a, b))
                {
                    buffer.Add(e);
                }
            }

            result[i] = buffer.Count == matrix[i].Length ? matrix[i] : [.. buffer];
        }

        return result;
    }

    /// <summary>Drops (i, j) where f(scalar, v[j]); missing entries of v read as 0.</summary>
    /// <remarks>Port of math.rs scalar_vec_mask_sparse_matrix.</remarks>
    public static (ushort Col, I32F32 Val)[][] ScalarVecMaskSparseMatrix(
        (ushort Col, I32F32 Val)[][] matrix, ulong scalar, ReadOnlySpan<ulong> vector, Func<ulong, ulong, bool> maskFn)
    {
        var result = new (ushort Col, I32F32 Val)[matrix.Length][];
        var buffer = new List<(ushort Col, I32F32 Val)>();
        for (int i = 0; i < matrix.Length; i++)
        {
            buffer.Clear();
            foreach (var e in matrix[i])
            {
                ulong b = e.Col < vector.Length ? vector[e.Col] : 0;
                if (!maskFn(scalar, b))
                {
                    buffer.Add(e);
                }
            }

            result[i] = buffer.Count == matrix[i].Length ? matrix[i] : [.. buffer];
        }

        return result;
    }
}
