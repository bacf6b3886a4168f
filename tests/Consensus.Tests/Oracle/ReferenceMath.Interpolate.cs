using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

internal static partial class ReferenceMath
{
    /// <summary>
    /// A + r·(B − A), saturating. r == 0 returns A verbatim, r == 1 returns B verbatim; otherwise, per row, every
    /// column j &lt; columns with a result &gt; 0 is emitted in column order (later duplicates of a column overwrite).
    /// </summary>
    /// <remarks>Port of math.rs interpolate_sparse. Only touched columns are visited (absent/absent gives 0, never emitted).</remarks>
    public static (ushort Col, I32F32 Val)[][] InterpolateSparse(
        (ushort Col, I32F32 Val)[][] a, (ushort Col, I32F32 Val)[][] b, int columns, I32F32 ratio)
    {
        if (ratio.IsZero)
        {
            return a;
        }

        if (ratio == I32F32.One)
        {
            return b;
        }

        if (a.Length != b.Length)
        {
            return b;
        }

        var rowA = new I32F32[columns];
        var rowB = new I32F32[columns];
        var touched = new bool[columns];
        var cols = new List<int>();
        var result = new (ushort Col, I32F32 Val)[a.Length][];
        var buffer = new List<(ushort Col, I32F32 Val)>();
        for (int i = 0; i < a.Length; i++)
        {
            cols.Clear();
            foreach (var e in a[i])
            {
                if (e.Col < columns)
                {
                    rowA[e.Col] = e.Val;
                    Touch(touched, cols, e.Col);
                }
            }

            foreach (var e in b[i])
            {
                if (e.Col < columns)
                {
                    rowB[e.Col] = e.Val;
                    Touch(touched, cols, e.Col);
                }
            }

            cols.Sort();
            buffer.Clear();
            foreach (int j in cols)
            {
                var v = rowA[j].SaturatingAdd(ratio.SaturatingMul(rowB[j].SaturatingSub(rowA[j])));
                if (v > I32F32.Zero)
                {
                    buffer.Add(((ushort)j, v));
                }

                rowA[j] = I32F32.Zero;
                rowB[j] = I32F32.Zero;
                touched[j] = false;
            }

            result[i] = [.. buffer];
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
