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
        WeightedMedian(stake, score, partitionIdx, minority, partitionLo, partitionHi, new int[partitionIdx.Length]);

    private static I32F32 WeightedMedian(
        ReadOnlySpan<I32F32> stake, ReadOnlySpan<I32F32> score, Span<int> partitionIdx, I32F32 minority, I32F32 partitionLo, I32F32 partitionHi,
        Span<int> upperBuf)
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
                loStake = loStake.SaturatingAdd(I32F32.FromBits(st & unchecked(-(long)lt)));
                hiStake = hiStake.SaturatingAdd(I32F32.FromBits(st & unchecked(-(long)gt)));
                idx[lowerCount] = k;
                upperBuf[upperCount] = k;
                lowerCount = unchecked(lowerCount + lt);
                upperCount = unchecked(upperCount + gt);
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
    /// <remarks>Port of math.rs weighted_median_col_sparse. Assumes Σ stake over the positive stakes fits a long (the
    /// epoch's stakes are normalized), so that no sum in the reference saturates; see <c>MediansOfColumns</c>.</remarks>
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
    /// (index into <paramref name="useStake"/>, score), missing rows scoring 0: exactly what <see cref="WeightedMedian"/>
    /// returns on the column's dense score vector with lo = 0 and hi = Σ stake, without building that vector.
    /// </summary>
    /// <remarks>
    /// <para>Why the result is the reference's, bit for bit. Let v_1 &lt; … &lt; v_m be the column's distinct scores,
    /// w_j the total stake of the rows scoring v_j, C_j = w_1 + … + w_j (C_0 = 0) and μ the minority. The stakes are
    /// non-negative and their total fits a long, so every saturating sum in the reference is exact and, by induction
    /// over its iterations, its partition is always the rows scoring in some v_a..v_b with lo = C_(a−1) and hi = C_b.
    /// Its pivot is some v_p of that range; lo + lo_stake = C_(p−1) and hi − hi_stake = C_p. It descends into
    /// v_a..v_(p−1) only when μ &lt; C_(p−1) and into v_(p+1)..v_b only when C_p ≤ μ, so at every step (μ ≥ C_(a−1) or
    /// a = 1) and (μ &lt; C_b or b = m), and it stops at v_p only if (μ ≥ C_(p−1) or p = a) and (μ &lt; C_p or p = b).
    /// Together: it returns v_p for the smallest p with C_p &gt; μ, or v_m when there is none (μ ≥ C_m), whichever
    /// pivots it picks on the way; a partition of one row returns that row's score, the same v_p. (The C_j only grow, so
    /// that p is unique; a zero-stake score can never be it unless it is v_1 with μ &lt; 0 or v_m with μ ≥ C_m.) It
    /// never reaches its iteration limit, since every iteration removes at least the pivot's rows.</para>
    /// <para>So any exact selection of "the smallest score whose cumulative stake exceeds μ, else the largest" gives the
    /// same bits. <see cref="SmallestScoreAbove"/> does that on a compact copy of the column: one (score, stake) pair per
    /// row that has an entry (a later duplicate column of a row overwrites, as in the dense vector) and one pair for all
    /// the rows without one (score 0, their stake Σ stake − the others', exact integer arithmetic), with no scatter into a
    /// dense vector, no index indirection and no per-column reset. The property test
    /// <c>WeightedMedianColSparse_MatchesReference</c> compares it with the reference on random columns with ties, zero
    /// stakes, duplicate and missing entries and minorities below 0 and above the total.</para>
    /// </remarks>
    private static void MediansOfColumns(
        I32F32[] useStake, I32F32 majority, int columns, int[] colCount, int[] entryRow, I32F32[] entryVal, Span<I32F32> destination)
    {
        int k = useStake.Length;
        var stakeSum = Sum(useStake);
        long minority = stakeSum.SaturatingSub(majority).Bits;
        var pairs = new ScoredStake[k + 1];
        var scratch = new ScoredStake[k + 1];
        for (int c = 0; c < columns; c++)
        {
            int first = colCount[c], end = colCount[c + 1];
            if (first == end)
            {
                // Every score is 0 (or there are no rows, and the reference returns 0 for an empty partition).
                destination[c] = I32F32.Zero;
                continue;
            }

            int m = 0;
            long present = 0;
            for (int p = first; p < end; p++)
            {
                int u = entryRow[p];
                if (p + 1 < end && entryRow[p + 1] == u)
                {
                    // The row lists the column again later; the later value is the one the dense vector holds.
                    continue;
                }

                long st = useStake[u].Bits;
                pairs[m++] = new ScoredStake(entryVal[p].Bits, st);
                present = unchecked(present + st);
            }

            if (m < k)
            {
                pairs[m++] = new ScoredStake(0, unchecked(stakeSum.Bits - present));
            }

            destination[c] = I32F32.FromBits(SmallestScoreAbove(pairs, scratch, m, minority));
        }
    }

    /// <summary>One row's score in a column and its stake (raw bits).</summary>
    private readonly record struct ScoredStake(long Score, long Stake);

    /// <summary>
    /// The smallest score whose cumulative stake (over the scores ≤ it) exceeds <paramref name="minority"/>, or the
    /// largest score when none does, of <c>pairs[0 .. count)</c> (count ≥ 1, stakes ≥ 0, total fits a long): a
    /// three-way quickselect (median-of-three pivot) that keeps the stake below its range. Both buffers are scratch.
    /// </summary>
    private static long SmallestScoreAbove(ScoredStake[] pairs, ScoredStake[] scratch, int count, long minority)
    {
        // Invariant: the answer's score lies in the range; `below` is the stake of the scores under the range, every one
        // of which has a cumulative stake ≤ minority. Any pivot keeps it, so the pivot only decides the speed.
        var from = pairs.AsSpan();
        var to = scratch.AsSpan();
        int lo = 0, n = count;
        long below = 0;
        while (n > 1)
        {
            long pivot = MedianOfThree(from[lo].Score, from[lo + (n / 2)].Score, from[lo + n - 1].Score);
            long lowStake = 0, equalStake = 0;
            int lower = 0, upper = 0;
            int top = n - 1;
            // Lower scores compact from the front of the other buffer and higher ones from its back. Branch-free: each
            // pair is written to both next slots and only the matching side advances (the two slots are free, and when
            // they coincide both writes store the same pair).
            foreach (var e in from.Slice(lo, n))
            {
                int lt = e.Score < pivot ? 1 : 0;
                int gt = e.Score > pivot ? 1 : 0;
                lowStake = unchecked(lowStake + (e.Stake & -(long)lt));
                equalStake = unchecked(equalStake + (e.Stake & ((long)(lt | gt) - 1)));
                to[lower] = e;
                to[top - upper] = e;
                lower = unchecked(lower + lt);
                upper = unchecked(upper + gt);
            }

            if (lower > 0 && unchecked(below + lowStake) > minority)
            {
                lo = 0;
                n = lower;
            }
            else if (upper == 0 || unchecked(below + lowStake + equalStake) > minority)
            {
                return pivot;
            }
            else
            {
                below = unchecked(below + lowStake + equalStake);
                lo = n - upper;
                n = upper;
            }

            var swap = from;
            from = to;
            to = swap;
        }

        return from[lo].Score;
    }

    private static long MedianOfThree(long a, long b, long c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
