using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

public static partial class YumaMath
{
    /// <summary>
    /// Clips each entry to its column's consensus: if c_j &lt; w the entry becomes (j, c_j), kept only when c_j &gt; 0;
    /// otherwise (j, w) is kept unchanged (explicit zeros survive). Columns beyond c keep their value.
    /// </summary>
    /// <remarks>Port of math.rs col_clip_sparse.</remarks>
    public static (ushort Col, I32F32 Val)[][] ColClipSparse((ushort Col, I32F32 Val)[][] matrix, ReadOnlySpan<I32F32> colThreshold)
    {
        var result = new (ushort Col, I32F32 Val)[matrix.Length][];
        (ushort Col, I32F32 Val)[] buffer = [];
        for (int i = 0; i < matrix.Length; i++)
        {
            var row = matrix[i];
            if (buffer.Length < row.Length)
            {
                buffer = new (ushort Col, I32F32 Val)[Math.Max(row.Length, 2 * buffer.Length)];
            }

            int count = 0;
            foreach (var e in row)
            {
                if (e.Col < colThreshold.Length && colThreshold[e.Col] < e.Val)
                {
                    if (colThreshold[e.Col] > I32F32.Zero)
                    {
                        buffer[count++] = (e.Col, colThreshold[e.Col]);
                    }
                }
                else
                {
                    buffer[count++] = e;
                }
            }

            result[i] = buffer.AsSpan(0, count).ToArray();
        }

        return result;
    }
}
