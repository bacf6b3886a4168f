using System.Buffers;
using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

/// <summary>
/// The epoch's kernels on the flat <see cref="CsrMatrix"/> layout. Each one is the public jagged kernel of the same name
/// (same entries, same order, same saturating arithmetic in the same sequence); several fuse a pass that the epoch ran
/// right after them over the same entries in the same row-major order (a column sum, a row sum, a product), which
/// changes neither an operand nor the order of any saturating accumulation.
/// </summary>
public static partial class YumaMath
{
    /// <summary>
    /// <see cref="ColClipSparse"/> into <paramref name="clipped"/>, fused with <see cref="RowSumSparse"/> of the result
    /// (<paramref name="rowSum"/>) and <see cref="MatmulSparse"/> of the result with <paramref name="vector"/>
    /// (<paramref name="product"/>, cleared first).
    /// </summary>
    internal static void ColClipRowSumMatmul(
        CsrMatrix matrix, ReadOnlySpan<I32F32> colThreshold, ReadOnlySpan<I32F32> vector,
        CsrMatrix clipped, Span<I32F32> rowSum, Span<I32F32> product)
    {
        var start = matrix.Start;
        var col = matrix.Col;
        var val = matrix.Val;
        var outStart = clipped.Start;
        var outCol = clipped.Col;
        var outVal = clipped.Val;
        product.Clear();
        int w = 0;
        for (int i = 0; i < matrix.Rows; i++)
        {
            long sum = 0;
            bool multiply = i < vector.Length;
            var vi = multiply ? vector[i] : I32F32.Zero;
            for (int p = start[i]; p < start[i + 1]; p++)
            {
                int j = col[p];
                var v = val[p];
                if (j < colThreshold.Length && colThreshold[j] < v)
                {
                    v = colThreshold[j];
                    if (!(v > I32F32.Zero))
                    {
                        continue;
                    }
                }

                outCol[w] = (ushort)j;
                outVal[w++] = v;
                sum = unchecked(sum + v.Bits);
                if (multiply && j < product.Length)
                {
                    product[j] = product[j].SaturatingAdd(vi.SaturatingMul(v));
                }
            }

            outStart[i + 1] = w;
            rowSum[i] = I32F32.FromBits(sum);
        }
    }

    /// <summary><see cref="InterpolateSparse(ValueTuple{ushort, I32F32}[][], ValueTuple{ushort, I32F32}[][], int, I32F32)"/> for 0 &lt; ratio ≠ 1 and equal row counts, into <paramref name="result"/>.</summary>
    internal static void InterpolateSparse(CsrMatrix a, CsrMatrix b, int columns, I32F32 ratio, CsrMatrix result)
    {
        var rowA = ArrayPool<I32F32>.Shared.Rent(columns);
        var rowB = ArrayPool<I32F32>.Shared.Rent(columns);
        var touched = ArrayPool<bool>.Shared.Rent(columns);
        var cols = ArrayPool<int>.Shared.Rent(columns);
        Array.Clear(rowA, 0, columns);
        Array.Clear(rowB, 0, columns);
        Array.Clear(touched, 0, columns);
        var outStart = result.Start;
        var outCol = result.Col;
        var outVal = result.Val;
        int w = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            int count = 0;
            for (int p = a.Start[i]; p < a.Start[i + 1]; p++)
            {
                int j = a.Col[p];
                if (j < columns)
                {
                    rowA[j] = a.Val[p];
                    Touch(touched, cols, ref count, j);
                }
            }

            for (int p = b.Start[i]; p < b.Start[i + 1]; p++)
            {
                int j = b.Col[p];
                if (j < columns)
                {
                    rowB[j] = b.Val[p];
                    Touch(touched, cols, ref count, j);
                }
            }

            var touchedCols = cols.AsSpan(0, count);
            touchedCols.Sort();
            foreach (int j in touchedCols)
            {
                var v = rowA[j].SaturatingAdd(ratio.SaturatingMul(rowB[j].SaturatingSub(rowA[j])));
                if (v > I32F32.Zero)
                {
                    outCol[w] = (ushort)j;
                    outVal[w++] = v;
                }

                rowA[j] = I32F32.Zero;
                rowB[j] = I32F32.Zero;
                touched[j] = false;
            }

            outStart[i + 1] = w;
        }

        ArrayPool<I32F32>.Shared.Return(rowA);
        ArrayPool<I32F32>.Shared.Return(rowB);
        ArrayPool<bool>.Shared.Return(touched);
        ArrayPool<int>.Shared.Return(cols);
    }

    /// <summary>
    /// <see cref="RowHadamardSparse"/> in place (m_ij · v_i, saturating; v_i = 0 beyond the vector), fused with the column
    /// sums of <see cref="InplaceColNormalizeSparse(ValueTuple{ushort, I32F32}[][], int)"/> of the result (columns &lt; colSum.Length).
    /// </summary>
    internal static void RowHadamardInPlaceColSum(CsrMatrix matrix, ReadOnlySpan<I32F32> vector, Span<I32F32> colSum)
    {
        var start = matrix.Start;
        var col = matrix.Col;
        var val = matrix.Val;
        colSum.Clear();
        for (int i = 0; i < matrix.Rows; i++)
        {
            var vi = i < vector.Length ? vector[i] : I32F32.Zero;
            for (int p = start[i]; p < start[i + 1]; p++)
            {
                var v = val[p].SaturatingMul(vi);
                val[p] = v;
                int j = col[p];
                if (j < colSum.Length)
                {
                    colSum[j] = colSum[j].SaturatingAdd(v);
                }
            }
        }
    }

    /// <summary>The division pass of the column normalizations: entries of a column j &lt; divisors.Length with a non-zero divisor become safe_div(entry, divisor_j).</summary>
    internal static void DivideByColumn(CsrMatrix matrix, ReadOnlySpan<I32F32> divisors)
    {
        var divide = ArrayPool<I32F32Divisor>.Shared.Rent(divisors.Length);
        for (int j = 0; j < divisors.Length; j++)
        {
            divide[j] = new I32F32Divisor(divisors[j]);
        }

        var col = matrix.Col;
        var val = matrix.Val;
        int count = matrix.Count;
        for (int p = 0; p < count; p++)
        {
            int j = col[p];
            if (j < divisors.Length && !divisors[j].IsZero)
            {
                val[p] = divide[j].SafeDivide(val[p]);
            }
        }

        ArrayPool<I32F32Divisor>.Shared.Return(divide);
    }

    /// <summary>
    /// <see cref="MatEmaSparse(ValueTuple{ushort, I32F32}[][], ValueTuple{ushort, I32F32}[][], I32F32)"/> into
    /// <paramref name="result"/> (new and old with the same row count), fused with the column sums of
    /// <see cref="InplaceColNormalizeSparse(ValueTuple{ushort, I32F32}[][], int)"/> of the result.
    /// </summary>
    /// <remarks>
    /// When <paramref name="newColSum"/> / <paramref name="oldColSum"/> are given, each operand entry of a column j &lt; n is
    /// first divided by that column's sum when the sum is non-zero: the division pass of an
    /// <see cref="InplaceColNormalizeSparse(ValueTuple{ushort, I32F32}[][], int)"/> of that operand, applied to the
    /// entries the EMA reads (columns ≥ n are never read here and never divided there).
    /// </remarks>
    internal static void MatEmaSparseColSum(
        CsrMatrix newRows, I32F32[]? newColSum, CsrMatrix oldRows, I32F32[]? oldColSum, I32F32 alpha, CsrMatrix result, Span<I32F32> colSum)
    {
        int n = newRows.Rows;
        // Plain locals, not a struct wrapper: the JIT keeps them in registers across the loops.
        var newDivide = RentDivisors(newColSum, n);
        var oldDivide = RentDivisors(oldColSum, n);
        var oneMinusAlpha = I32F32.One.SaturatingSub(alpha);
        var outStart = result.Start;
        var outCol = result.Col;
        var outVal = result.Val;
        I32F32[]? acc = null;
        bool[]? touched = null;
        int[]? cols = null;
        colSum.Clear();
        int w = 0;
        for (int i = 0; i < n; i++)
        {
            var newCol = newRows.Col.AsSpan(newRows.Start[i], newRows.RowLength(i));
            var newVal = newRows.Val.AsSpan(newRows.Start[i], newRows.RowLength(i));
            var oldCol = oldRows.Col.AsSpan(oldRows.Start[i], oldRows.RowLength(i));
            var oldVal = oldRows.Val.AsSpan(oldRows.Start[i], oldRows.RowLength(i));
            int rowStart = w;
            if (IsStrictlyAscending(newCol) && IsStrictlyAscending(oldCol))
            {
                // Sorted rows without duplicate columns: a merge gives the accumulator's entries in column order.
                int a = 0, b = 0;
                while (true)
                {
                    int ca = a < newCol.Length && newCol[a] < n ? newCol[a] : int.MaxValue;
                    int cb = b < oldCol.Length && oldCol[b] < n ? oldCol[b] : int.MaxValue;
                    if (ca == int.MaxValue && cb == int.MaxValue)
                    {
                        break;
                    }

                    I32F32 v;
                    int c;
                    if (ca == cb)
                    {
                        c = ca;
                        v = alpha.SaturatingMul(DivideBySum(newColSum, newDivide, c, newVal[a++])).SaturatingAdd(oneMinusAlpha.SaturatingMul(DivideBySum(oldColSum, oldDivide, c, oldVal[b++])));
                    }
                    else if (ca < cb)
                    {
                        c = ca;
                        v = alpha.SaturatingMul(DivideBySum(newColSum, newDivide, c, newVal[a++]));
                    }
                    else
                    {
                        c = cb;
                        v = oneMinusAlpha.SaturatingMul(DivideBySum(oldColSum, oldDivide, c, oldVal[b++]));
                    }

                    if (v > I32F32.Zero)
                    {
                        outCol[w] = (ushort)c;
                        outVal[w++] = v;
                    }
                }
            }
            else
            {
                acc ??= new I32F32[n];
                touched ??= new bool[n];
                cols ??= new int[n];
                int count = 0;
                for (int k = 0; k < newCol.Length; k++)
                {
                    int j = newCol[k];
                    if (j < n)
                    {
                        acc[j] = acc[j].SaturatingAdd(alpha.SaturatingMul(DivideBySum(newColSum, newDivide, j, newVal[k])));
                        Touch(touched, cols, ref count, j);
                    }
                }

                for (int k = 0; k < oldCol.Length; k++)
                {
                    int j = oldCol[k];
                    if (j < n)
                    {
                        acc[j] = acc[j].SaturatingAdd(oneMinusAlpha.SaturatingMul(DivideBySum(oldColSum, oldDivide, j, oldVal[k])));
                        Touch(touched, cols, ref count, j);
                    }
                }

                var touchedCols = cols.AsSpan(0, count);
                touchedCols.Sort();
                foreach (int j in touchedCols)
                {
                    if (acc[j] > I32F32.Zero)
                    {
                        outCol[w] = (ushort)j;
                        outVal[w++] = acc[j];
                    }

                    acc[j] = I32F32.Zero;
                    touched[j] = false;
                }
            }

            for (int p = rowStart; p < w; p++)
            {
                int j = outCol[p];
                if (j < colSum.Length)
                {
                    colSum[j] = colSum[j].SaturatingAdd(outVal[p]);
                }
            }

            outStart[i + 1] = w;
        }

        ReturnDivisors(newDivide);
        ReturnDivisors(oldDivide);
    }

    internal static bool IsStrictlyAscending(ReadOnlySpan<ushort> cols)
    {
        for (int k = 1; k < cols.Length; k++)
        {
            if (cols[k] <= cols[k - 1])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The division pass of <see cref="InplaceColNormalizeSparse(ValueTuple{ushort, I32F32}[][], int)"/> by
    /// <paramref name="colSum"/>, fused with <see cref="MatmulTransposeSparse"/> of the result with
    /// <paramref name="vector"/> (<paramref name="product"/>) and the column maxima of
    /// <see cref="InplaceColMaxUpscaleSparse(ValueTuple{ushort, I32F32}[][], int)"/> of the result (<paramref name="colMax"/>).
    /// </summary>
    internal static void DivideByColumnMatmulTransposeColMax(
        CsrMatrix matrix, ReadOnlySpan<I32F32> colSum, ReadOnlySpan<I32F32> vector, Span<I32F32> product, Span<I32F32> colMax)
    {
        var divide = ArrayPool<I32F32Divisor>.Shared.Rent(colSum.Length);
        for (int j = 0; j < colSum.Length; j++)
        {
            divide[j] = new I32F32Divisor(colSum[j]);
        }

        var start = matrix.Start;
        var col = matrix.Col;
        var val = matrix.Val;
        colMax.Clear();
        for (int i = 0; i < matrix.Rows; i++)
        {
            var acc = I32F32.Zero;
            for (int p = start[i]; p < start[i + 1]; p++)
            {
                int j = col[p];
                var v = val[p];
                if (j < colSum.Length && !colSum[j].IsZero)
                {
                    v = divide[j].SafeDivide(v);
                    val[p] = v;
                }

                if (j < vector.Length)
                {
                    acc = acc.SaturatingAdd(vector[j].SaturatingMul(v));
                }

                if (j < colMax.Length && colMax[j] < v)
                {
                    colMax[j] = v;
                }
            }

            product[i] = acc;
        }

        ArrayPool<I32F32Divisor>.Shared.Return(divide);
    }

    /// <summary>
    /// <see cref="MatVecMulSparseRowSum"/> of a copy of <paramref name="matrix"/> that
    /// <see cref="InplaceColNormalizeSparse(ValueTuple{ushort, I32F32}[][], int)"/> normalized over
    /// <paramref name="columns"/>, without making the copy: each entry is divided by its column sum as it is read.
    /// </summary>
    internal static void ColNormalizedMatVecMulRowSum(
        (ushort Col, I32F32 Val)[][] matrix, int columns, ReadOnlySpan<I32F32> vector, Span<I32F32> destination)
    {
        var colSum = ArrayPool<I32F32>.Shared.Rent(columns);
        Array.Clear(colSum, 0, columns);
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

        var sums = colSum.AsSpan(0, columns).ToArray();
        ArrayPool<I32F32>.Shared.Return(colSum);
        var divide = RentDivisors(sums, columns);
        for (int i = 0; i < matrix.Length; i++)
        {
            long s = 0;
            foreach (var e in matrix[i])
            {
                if (e.Col < vector.Length)
                {
                    s = unchecked(s + DivideBySum(sums, divide, e.Col, e.Val).SaturatingMul(vector[e.Col]).Bits);
                }
            }

            destination[i] = I32F32.FromBits(s);
        }

        ReturnDivisors(divide);
    }

    /// <summary>The safe_div table for a vector of column sums (null for none), rented; see <see cref="DivideBySum"/>.</summary>
    private static I32F32Divisor[]? RentDivisors(I32F32[]? sums, int columns)
    {
        if (sums is null)
        {
            return null;
        }

        var divide = ArrayPool<I32F32Divisor>.Shared.Rent(columns);
        for (int j = 0; j < columns && j < sums.Length; j++)
        {
            divide[j] = new I32F32Divisor(sums[j]);
        }

        return divide;
    }

    private static void ReturnDivisors(I32F32Divisor[]? divide)
    {
        if (divide is not null)
        {
            ArrayPool<I32F32Divisor>.Shared.Return(divide);
        }
    }

    /// <summary>safe_div(value, sums[column]) when a sum is given and non-zero; value unchanged otherwise.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static I32F32 DivideBySum(I32F32[]? sums, I32F32Divisor[]? divide, int column, I32F32 value) =>
        sums is null || column >= sums.Length || sums[column].IsZero ? value : divide![column].SafeDivide(value);

    /// <summary>Records column <paramref name="j"/> the first time a row touches it, so the row's columns can be visited
    /// in order once, whatever order its inputs listed them in.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Touch(bool[] touched, int[] cols, ref int count, int j)
    {
        if (!touched[j])
        {
            touched[j] = true;
            cols[count++] = j;
        }
    }
}
