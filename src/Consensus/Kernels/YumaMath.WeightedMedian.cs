using System.Buffers;
using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

public static partial class YumaMath
{
    /// <summary>
    /// Stake-weighted median of <paramref name="score"/> over <paramref name="partitionIdx"/> by deterministic mid-pivot
    /// partitioning: pivot = score[idx[len/2]]; lower (&lt; pivot) and upper (&gt; pivot) keep their order, equal scores are
    /// skipped; stakes are summed with saturating_add. Descend into lower when minority &lt; lo + lo_stake, into upper when
    /// hi − hi_stake ≤ minority, else return the pivot. Returns 0 for an empty partition or after |idx| iterations.
    /// </summary>
    /// <remarks>Port of math.rs weighted_median. <paramref name="partitionIdx"/> is used as scratch and overwritten.</remarks>
    public static I32F32 WeightedMedian(
        ReadOnlySpan<I32F32> stake, ReadOnlySpan<I32F32> score, Span<int> partitionIdx, I32F32 minority, I32F32 partitionLo, I32F32 partitionHi) =>
        WeightedMedian(stake, score, partitionIdx, minority, partitionLo, partitionHi, new int[partitionIdx.Length], boundedStakes: false);

    /// <param name="boundedStakes">
    /// Every stake is non-negative and their total fits a long (normalized stakes: each ≤ 1, fewer than 2^31 of them), so
    /// no partial sum can saturate and a plain addition is the saturating one.
    /// </param>
    private static I32F32 WeightedMedian(
        ReadOnlySpan<I32F32> stake, ReadOnlySpan<I32F32> score, Span<int> partitionIdx, I32F32 minority, I32F32 partitionLo, I32F32 partitionHi,
        Span<int> upperBuf, bool boundedStakes)
    {
        int len = partitionIdx.Length;
        int maxIterations = len;
        var idx = partitionIdx;
        var lo = partitionLo;
        var hi = partitionHi;
        for (int iteration = 0; iteration <= maxIterations; iteration++)
        {
            int n = idx.Length;
            if (n == 0)
            {
                return I32F32.Zero;
            }

            if (n == 1)
            {
                return score[idx[0]];
            }

            long pivot = score[idx[n / 2]].Bits;
            var loStake = I32F32.Zero;
            var hiStake = I32F32.Zero;
            long loSum = 0, hiSum = 0;
            int lowerCount = 0, upperCount = 0;
            // Stable partition: lower entries compact in place (write index never passes read index), upper go to a
            // buffer. Branch-free: every entry is written to both sides and only the matching side's count advances;
            // a non-matching side adds a stake of 0, which leaves a saturating sum unchanged.
            for (int r = 0; r < n; r++)
            {
                int k = idx[r];
                long s = score[k].Bits;
                int lt = s < pivot ? 1 : 0;
                int gt = s > pivot ? 1 : 0;
                long st = stake[k].Bits;
                if (boundedStakes)
                {
                    loSum = unchecked(loSum + (st & -(long)lt));
                    hiSum = unchecked(hiSum + (st & -(long)gt));
                }
                else
                {
                    loStake = loStake.SaturatingAdd(I32F32.FromBits(st & unchecked(-(long)lt)));
                    hiStake = hiStake.SaturatingAdd(I32F32.FromBits(st & unchecked(-(long)gt)));
                }
                idx[lowerCount] = k;
                upperBuf[upperCount] = k;
                lowerCount = unchecked(lowerCount + lt);
                upperCount = unchecked(upperCount + gt);
            }

            if (boundedStakes)
            {
                loStake = I32F32.FromBits(loSum);
                hiStake = I32F32.FromBits(hiSum);
            }

            if (minority < lo.SaturatingAdd(loStake) && lowerCount > 0)
            {
                hi = lo.SaturatingAdd(loStake);
                idx = idx[..lowerCount];
            }
            else if (hi.SaturatingSub(hiStake) <= minority && upperCount > 0)
            {
                lo = hi.SaturatingSub(hiStake);
                upperBuf[..upperCount].CopyTo(idx);
                idx = idx[..upperCount];
            }
            else
            {
                return I32F32.FromBits(pivot);
            }
        }

        return I32F32.Zero;
    }

    /// <summary>
    /// Column-wise stake-weighted median: rows with stake &gt; 0 are kept (uid order), their stakes normalized; minority =
    /// Σ normalized stake − majority (saturating); each column's dense score vector over those rows (missing = 0, a later
    /// duplicate column in a row overwrites) goes through <see cref="WeightedMedian"/> with lo = 0, hi = Σ stake.
    /// </summary>
    /// <remarks>Port of math.rs weighted_median_col_sparse.</remarks>
    public static void WeightedMedianColSparse(
        ReadOnlySpan<I32F32> stake, (ushort Col, I32F32 Val)[][] score, int columns, I32F32 majority, Span<I32F32> destination)
    {
        var rowOf = PositiveStakeRows(stake, out var useStake);
        int k = rowOf.Length;

        // Column-compressed view of the positive-stake rows, in row order (so later duplicates overwrite).
        var colCount = new int[columns + 1];
        for (int u = 0; u < k; u++)
        {
            if (rowOf[u] >= score.Length)
            {
                continue;
            }

            foreach (var e in score[rowOf[u]])
            {
                if (e.Col < columns)
                {
                    colCount[e.Col + 1]++;
                }
            }
        }

        for (int c = 0; c < columns; c++)
        {
            colCount[c + 1] += colCount[c];
        }

        var fill = (int[])colCount.Clone();
        // The compressed copy of the weights (64 × 256 entries = 128 KiB at n = 256) would land on the large object
        // heap every epoch and cost a gen-2 collection every few epochs: rent it. Every slot read is written first.
        var entryRow = ArrayPool<int>.Shared.Rent(colCount[columns]);
        var entryVal = ArrayPool<I32F32>.Shared.Rent(colCount[columns]);
        for (int u = 0; u < k; u++)
        {
            if (rowOf[u] >= score.Length)
            {
                continue;
            }

            foreach (var e in score[rowOf[u]])
            {
                if (e.Col < columns)
                {
                    int p = fill[e.Col]++;
                    entryRow[p] = u;
                    entryVal[p] = e.Val;
                }
            }
        }

        MediansOfColumns(useStake, majority, columns, colCount, entryRow, entryVal, destination);
        ArrayPool<int>.Shared.Return(entryRow);
        ArrayPool<I32F32>.Shared.Return(entryVal);
    }

    /// <summary><see cref="WeightedMedianColSparse(ReadOnlySpan{I32F32}, ValueTuple{ushort, I32F32}[][], int, I32F32, Span{I32F32})"/> on the flat layout.</summary>
    internal static void WeightedMedianColSparse(
        ReadOnlySpan<I32F32> stake, CsrMatrix score, int columns, I32F32 majority, Span<I32F32> destination)
    {
        var rowOf = PositiveStakeRows(stake, out var useStake);
        int k = rowOf.Length;
        var start = score.Start;
        var col = score.Col;
        var val = score.Val;
        var colCount = ArrayPool<int>.Shared.Rent(columns + 1);
        var fill = ArrayPool<int>.Shared.Rent(columns + 1);
        Array.Clear(colCount, 0, columns + 1);
        for (int u = 0; u < k; u++)
        {
            int r = rowOf[u];
            if (r >= score.Rows)
            {
                continue;
            }

            for (int p = start[r]; p < start[r + 1]; p++)
            {
                if (col[p] < columns)
                {
                    colCount[col[p] + 1]++;
                }
            }
        }

        for (int c = 0; c < columns; c++)
        {
            colCount[c + 1] += colCount[c];
        }

        Array.Copy(colCount, fill, columns + 1);
        var entryRow = ArrayPool<int>.Shared.Rent(colCount[columns]);
        var entryVal = ArrayPool<I32F32>.Shared.Rent(colCount[columns]);
        for (int u = 0; u < k; u++)
        {
            int r = rowOf[u];
            if (r >= score.Rows)
            {
                continue;
            }

            for (int p = start[r]; p < start[r + 1]; p++)
            {
                int c = col[p];
                if (c < columns)
                {
                    int q = fill[c]++;
                    entryRow[q] = u;
                    entryVal[q] = val[p];
                }
            }
        }

        MediansOfColumns(useStake, majority, columns, colCount, entryRow, entryVal, destination);
        ArrayPool<int>.Shared.Return(entryRow);
        ArrayPool<I32F32>.Shared.Return(entryVal);
        ArrayPool<int>.Shared.Return(colCount);
        ArrayPool<int>.Shared.Return(fill);
    }

    /// <summary>The rows with stake &gt; 0 in uid order, and their stakes normalized.</summary>
    private static int[] PositiveStakeRows(ReadOnlySpan<I32F32> stake, out I32F32[] useStake)
    {
        int k = 0;
        for (int r = 0; r < stake.Length; r++)
        {
            if (stake[r] > I32F32.Zero)
            {
                k++;
            }
        }

        useStake = new I32F32[k];
        var rowOf = new int[k];
        k = 0;
        for (int r = 0; r < stake.Length; r++)
        {
            if (stake[r] > I32F32.Zero)
            {
                rowOf[k] = r;
                useStake[k++] = stake[r];
            }
        }

        InplaceNormalize(useStake);
        return rowOf;
    }

    /// <summary>
    /// The median of every column c from its compressed entries <c>entryRow/entryVal[colCount[c] .. colCount[c+1])</c>
    /// (index into <paramref name="useStake"/>, score), missing rows scoring 0.
    /// </summary>
    private static void MediansOfColumns(
        I32F32[] useStake, I32F32 majority, int columns, int[] colCount, int[] entryRow, I32F32[] entryVal, Span<I32F32> destination)
    {
        int k = useStake.Length;
        var stakeSum = Sum(useStake);
        var minority = stakeSum.SaturatingSub(majority);
        var useScore = new I32F32[k];
        var idx = new int[k];
        var upper = new int[k];
        for (int c = 0; c < columns; c++)
        {
            if (colCount[c] == colCount[c + 1])
            {
                // Every score is 0: the pivot is 0 and nothing lies below or above it.
                destination[c] = I32F32.Zero;
                continue;
            }

            for (int p = colCount[c]; p < colCount[c + 1]; p++)
            {
                useScore[entryRow[p]] = entryVal[p];
            }

            for (int u = 0; u < k; u++)
            {
                idx[u] = u;
            }

            destination[c] = WeightedMedian(useStake, useScore, idx, minority, I32F32.Zero, stakeSum, upper, boundedStakes: true);

            for (int p = colCount[c]; p < colCount[c + 1]; p++)
            {
                useScore[entryRow[p]] = I32F32.Zero;
            }
        }
    }
}
