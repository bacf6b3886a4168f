using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

/// <summary>Test oracle: the straightforward kernels the epoch used before its optimization (commit eb23329). Span kernels of subtensor's <c>epoch/math.rs</c>, one operation per file, bit-exact.</summary>
internal static partial class ReferenceMath
{
    /// <summary>Σx with plain (wrapping) addition, as Rust's <c>iter().sum()</c> in a release build.</summary>
    public static I32F32 Sum(ReadOnlySpan<I32F32> x)
    {
        long s = 0;
        foreach (var v in x)
        {
            s = unchecked(s + v.Bits);
        }

        return I32F32.FromBits(s);
    }

    /// <summary>True when Σx == 0. <remarks>Port of math.rs is_zero.</remarks></summary>
    public static bool IsZero(ReadOnlySpan<I32F32> x) => Sum(x).IsZero;

    /// <summary>
    /// x_i = safe_div(x_i, Σx); left unchanged when Σx == 0 (plain sum, truncating division).
    /// </summary>
    /// <remarks>Port of math.rs inplace_normalize.</remarks>
    public static void InplaceNormalize(Span<I32F32> x)
    {
        var sum = Sum(x);
        if (sum.IsZero)
        {
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            x[i] = x[i].SafeDiv(sum);
        }
    }

    /// <summary>x_i = safe_div(x_i, sum) unless sum == 0.</summary>
    /// <remarks>Port of math.rs inplace_normalize_using_sum.</remarks>
    public static void InplaceNormalizeUsingSum(Span<I32F32> x, I32F32 sum)
    {
        if (sum.IsZero)
        {
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            x[i] = x[i].SafeDiv(sum);
        }
    }

    /// <summary>I64F64 normalization: plain (wrapping) sum, x_i = safe_div(x_i, Σx) truncating, unchanged when Σx == 0.</summary>
    /// <remarks>Port of math.rs inplace_normalize_64.</remarks>
    public static void InplaceNormalize64(Span<I64F64> x)
    {
        Int128 s = 0;
        foreach (var v in x)
        {
            s = unchecked(s + v.Bits);
        }

        var sum = I64F64.FromBits(s);
        if (sum.IsZero)
        {
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            x[i] = x[i].SafeDiv(sum);
        }
    }

    /// <summary>I64F64 → I32F32 per element: extra fractional bits floored, clamped.</summary>
    /// <remarks>Port of math.rs vec_fixed64_to_fixed32.</remarks>
    public static void VecFixed64ToFixed32(ReadOnlySpan<I64F64> x, Span<I32F32> destination)
    {
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = I32F32.SaturatingFromNum(x[i]);
        }
    }
}
