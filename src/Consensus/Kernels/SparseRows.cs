using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

/// <summary>
/// Row-array helpers of the sparse epoch (one array of (column, value) entries per row), the vector conversions at
/// its output boundary and the saturating block arithmetic of subtensor's u64 block numbers.
/// </summary>
internal static class SparseRows
{
    /// <summary>A row array every element of which the caller writes: no zeroing for the larger rows.</summary>
    public static T[] AllocateRow<T>(int count) => count == 0 ? [] : GC.AllocateUninitializedArray<T>(count);

    public static T[] CopyRow<T>(ReadOnlySpan<T> values)
    {
        var row = AllocateRow<T>(values.Length);
        values.CopyTo(row);
        return row;
    }

    public static (ushort Col, I32F32 Val)[][] DeepCopy((ushort Col, I32F32 Val)[][] rows)
    {
        var copy = new (ushort Col, I32F32 Val)[rows.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            copy[i] = ((ushort Col, I32F32 Val)[])rows[i].Clone();
        }

        return copy;
    }

    public static (ushort Col, I32F32 Val)[][] EmptyRows(int n)
    {
        var rows = new (ushort Col, I32F32 Val)[n][];
        Array.Fill(rows, []);
        return rows;
    }

    /// <summary>fixed_proportion_to_u16 of every entry.</summary>
    public static ushort[] ToU16(I32F32[] values)
    {
        var result = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = YumaMath.FixedProportionToU16(values[i]);
        }

        return result;
    }

    /// <summary>I96F32(x_i) · rao, saturating, to u64.</summary>
    public static ulong[] ToRao(I32F32[] normalized, I96F32 rao)
    {
        var result = new ulong[normalized.Length];
        for (int i = 0; i < normalized.Length; i++)
        {
            result[i] = I96F32.SaturatingFromNum(normalized[i]).SaturatingMul(rao).SaturatingToU64();
        }

        return result;
    }

    public static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    public static ulong SaturatingSub(ulong a, ulong b) => a < b ? 0 : a - b;
}
