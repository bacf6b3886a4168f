using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

internal static partial class ReferenceMath
{
    /// <summary>
    /// Clips each entry to its column's consensus: if c_j &lt; w the entry becomes (j, c_j), kept only when c_j &gt; 0;
    /// otherwise (j, w) is kept unchanged (explicit zeros survive). Columns beyond c keep their value.
    /// </summary>
    /// <remarks>Port of math.rs col_clip_sparse.</remarks>
    public static (ushort Col, I32F32 Val)[][] ColClipSparse((ushort Col, I32F32 Val)[][] matrix, ReadOnlySpan<I32F32> colThreshold)
    {
        var result = new (ushort Col, I32F32 Val)[matrix.Length][];
        var buffer = new List<(ushort Col, I32F32 Val)>();
        for (int i = 0; i < matrix.Length; i++)
        {
            buffer.Clear();
            foreach (var e in matrix[i])
            {
                if (e.Col < colThreshold.Length && colThreshold[e.Col] < e.Val)
                {
                    if (colThreshold[e.Col] > I32F32.Zero)
                    {
                        buffer.Add((e.Col, colThreshold[e.Col]));
                    }
                }
                else
                {
                    buffer.Add(e);
                }
            }

            result[i] = [.. buffer];
        }

        return result;
    }
}
