using System.Buffers;
using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

/// <summary>
/// A sparse matrix in one flat row-major layout (CSR): row i's entries are <c>Col/Val[Start[i] .. Start[i+1])</c>,
/// in the order the kernel wrote them. The three buffers are rented from <see cref="ArrayPool{T}.Shared"/> and go back
/// on <see cref="Dispose"/>, so an epoch's matrices cost no garbage-collected allocation and no zeroing; the epoch owns
/// each instance and disposes it before returning (nothing is shared between threads).
/// </summary>
/// <remarks>
/// The jagged (ushort, I32F32)[][] form of the public kernels pads every entry to 16 bytes and allocates one array per
/// row per step; here an entry is 10 bytes and a step writes into buffers reused across epochs.
/// </remarks>
internal sealed class CsrMatrix : IDisposable
{
    private int[]? _start;
    private ushort[]? _col;
    private I32F32[]? _val;

    /// <param name="rows">Row count.</param>
    /// <param name="capacity">Upper bound on the entries the writer will append.</param>
    public CsrMatrix(int rows, int capacity)
    {
        Rows = rows;
        _start = ArrayPool<int>.Shared.Rent(rows + 1);
        _col = ArrayPool<ushort>.Shared.Rent(Math.Max(capacity, 1));
        _val = ArrayPool<I32F32>.Shared.Rent(Math.Max(capacity, 1));
        _start[0] = 0;
    }

    public int Rows { get; }

    /// <summary>Row starts; length ≥ Rows + 1, only the first Rows + 1 entries are meaningful.</summary>
    public int[] Start => _start ?? throw new ObjectDisposedException(nameof(CsrMatrix));

    public ushort[] Col => _col ?? throw new ObjectDisposedException(nameof(CsrMatrix));

    public I32F32[] Val => _val ?? throw new ObjectDisposedException(nameof(CsrMatrix));

    public int Count => Start[Rows];

    public int RowLength(int i) => Start[i + 1] - Start[i];

    /// <summary>The rows as the public kernels' jagged arrays (traces and the kernels not ported to this layout).</summary>
    public (ushort Col, I32F32 Val)[][] ToJagged()
    {
        var start = Start;
        var col = Col;
        var val = Val;
        var rows = new (ushort Col, I32F32 Val)[Rows][];
        for (int i = 0; i < Rows; i++)
        {
            int s = start[i];
            var row = SparseRows.AllocateRow<(ushort Col, I32F32 Val)>(start[i + 1] - s);
            for (int k = 0; k < row.Length; k++)
            {
                row[k] = (col[s + k], val[s + k]);
            }

            rows[i] = row;
        }

        return rows;
    }

    public void Dispose()
    {
        if (_start is null)
        {
            return;
        }

        ArrayPool<int>.Shared.Return(_start);
        ArrayPool<ushort>.Shared.Return(_col!);
        ArrayPool<I32F32>.Shared.Return(_val!);
        _start = null;
        _col = null;
        _val = null;
    }
}
