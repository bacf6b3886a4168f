using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

public static partial class YumaMath
{
    private static readonly I32F32 U16Max = I32F32.FromNum(ushort.MaxValue);
    private static readonly I32F32Divisor ByU16Max = new(U16Max);

    /// <summary>floor(x · 65535) clamped to [0, 65535] (saturating_mul then saturating_to_num).</summary>
    /// <remarks>Port of math.rs fixed_proportion_to_u16.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ushort FixedProportionToU16(I32F32 x) => x.SaturatingMul(U16Max).SaturatingToU16();

    /// <summary>safe_div(I32F32(x), 65535).</summary>
    /// <remarks>Port of math.rs u16_proportion_to_fixed.</remarks>
    public static I32F32 U16ProportionToFixed(ushort x) => ByU16Max.SafeDivide(I32F32.FromNum(x));

    /// <summary>safe_div(x, 65535).</summary>
    /// <remarks>Port of math.rs fixed_to_fixed_u16_proportion.</remarks>
    public static I32F32 FixedToFixedU16Proportion(I32F32 x) => ByU16Max.SafeDivide(x);

    /// <summary>Integer-valued I32F32 from a u16 (no scaling).</summary>
    /// <remarks>Port of math.rs u16_to_fixed.</remarks>
    public static I32F32 U16ToFixed(ushort x) => I32F32.FromNum(x);
}
