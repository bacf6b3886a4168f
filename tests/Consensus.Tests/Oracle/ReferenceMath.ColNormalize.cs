using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

internal static partial class ReferenceMath
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

        foreach (var row in matrix)
        {
            for (int k = 0; k < row.Length; k++)
            {
                int j = row[k].Col;
                if (j < columns && !colSum[j].IsZero)
                {
                    row[k].Val = row[k].Val.SafeDiv(colSum[j]);
                }
            }
        }
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

        foreach (var row in matrix)
        {
            for (int k = 0; k < row.Length; k++)
            {
                int j = row[k].Col;
                if (j < columns && !colMax[j].IsZero)
                {
                    row[k].Val = row[k].Val.SafeDiv(colMax[j]);
                }
            }
        }
    }
}
