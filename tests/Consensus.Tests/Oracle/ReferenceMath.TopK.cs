using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

internal static partial class ReferenceMath
{
    /// <summary>
    /// destination_i = true for the k largest values; ties broken by a stable ascending sort, so among equal
    /// values the lower uids lose. All true when length &lt; k.
    /// </summary>
    /// <remarks>Port of math.rs is_topk.</remarks>
    public static void IsTopk(ReadOnlySpan<I32F32> values, int k, Span<bool> destination)
    {
        destination[..values.Length].Fill(true);
        ClearBottom(values, k, destination);
    }

    /// <summary>As <see cref="IsTopk"/> but zero values are never selected.</summary>
    /// <remarks>Port of math.rs is_topk_nonzero.</remarks>
    public static void IsTopkNonzero(ReadOnlySpan<I32F32> values, int k, Span<bool> destination)
    {
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = !values[i].IsZero;
        }

        ClearBottom(values, k, destination);
    }

    private static void ClearBottom(ReadOnlySpan<I32F32> values, int k, Span<bool> destination)
    {
        int n = values.Length;
        if (n < k)
        {
            return;
        }

        // Stable ascending sort of indices: (value, index) keys make an unstable sort stable.
        var keys = new long[n];
        var idx = new int[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = values[i].Bits;
            idx[i] = i;
        }

        Array.Sort(keys, idx);
        // Array.Sort is not stable: re-sort each run of equal keys by index.
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(idx, start, end - start);
            }

            start = end;
        }

        for (int i = 0; i < n - k; i++)
        {
            destination[idx[i]] = false;
        }
    }
}
