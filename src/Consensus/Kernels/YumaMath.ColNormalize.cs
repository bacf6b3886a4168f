using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

public static partial class YumaMath
{
    /// <summary>
    /// Column sums (saturating_add) over columns &lt; <paramref name="columns"/>; each entry divided (safe_div) by its
    /// column sum when that sum is non-zero. Entries in columns ≥ columns are left untouched.
    /// </summary>
    /// <remarks>Port of math.rs inplace_col_normalize_sparse.</remarks>
    public static void InplaceColNormalizeSparse((ushort Col, I32F32 Val)[][] matrix, int columns)
    {
        var colSum = new I32F32[columns];
        foreach (var row in matrix)
        {
            foreach (var e in row)
            {
                if (e.Col < columns)
                {
                    colSum[e.Col] = colSum[e.Col].SaturatingAdd(e.Val);
                }
            }
        }

        DivideByColumn(matrix, colSum);
    }

    /// <summary>Each entry divided (safe_div) by its column maximum when that maximum is non-zero.</summary>
    /// <remarks>Port of math.rs inplace_col_max_upscale_sparse.</remarks>
    public static void InplaceColMaxUpscaleSparse((ushort Col, I32F32 Val)[][] matrix, int columns)
    {
        var colMax = new I32F32[columns];
        foreach (var row in matrix)
        {
            foreach (var e in row)
            {
                if (e.Col < columns && colMax[e.Col] < e.Val)
                {
                    colMax[e.Col] = e.Val;
                }
            }
        }

        DivideByColumn(matrix, colMax);
    }

    /// <summary>Each entry in a column j &lt; divisors.Length with a non-zero divisor becomes safe_div(entry, divisor_j).</summary>
    private static void DivideByColumn((ushort Col, I32F32 Val)[][] matrix, I32F32[] divisors)
    {
        var divide = System.Buffers.ArrayPool<I32F32Divisor>.Shared.Rent(divisors.Length);
        for (int j = 0; j < divisors.Length; j++)
        {
            divide[j] = new I32F32Divisor(divisors[j]);
        }

        foreach (var row in matrix)
        {
            for (int k = 0; k < row.Length; k++)
            {
                int j = row[k].Col;
                if (j < divisors.Length && !divisors[j].IsZero)
                {
                    row[k].Val = divide[j].SafeDivide(row[k].Val);
                }
            }
        }

        System.Buffers.ArrayPool<I32F32Divisor>.Shared.Return(divide);
    }
}
