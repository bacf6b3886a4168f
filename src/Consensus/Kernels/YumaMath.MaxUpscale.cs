using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

public static partial class YumaMath
{
    private static readonly I32F32 HalfU16Plus = I32F32.FromNum(32768);

    /// <summary>
    /// Max-upscale to u16: m = max; m == 0 → floor(e·65535) each; m &gt; 32768 → round(e · safe_div(65535, m));
    /// else round(safe_div(e·65535, m)); rounding ties away from zero; then clamped to u16.
    /// </summary>
    /// <remarks>Port of math.rs vec_max_upscale_to_u16.</remarks>
    public static void VecMaxUpscaleToU16(ReadOnlySpan<I32F32> vec, Span<ushort> destination)
    {
        if (vec.IsEmpty)
        {
            return;
        }

        var max = vec[0];
        foreach (var v in vec)
        {
            max = max.Max(v);
        }

        for (int i = 0; i < vec.Length; i++)
        {
            var e = vec[i];
            I32F32 r;
            if (max.IsZero)
            {
                r = e.SaturatingMul(U16Max);
            }
            else if (max > HalfU16Plus)
            {
                r = e.SaturatingMul(U16Max.SafeDiv(max)).Round();
            }
            else
            {
                r = e.SaturatingMul(U16Max).SafeDiv(max).Round();
            }

            destination[i] = r.SaturatingToU16();
        }
    }

    /// <summary>u16 values as integer I32F32, then <see cref="VecMaxUpscaleToU16"/> (what set_weights stores).</summary>
    /// <remarks>Port of math.rs vec_u16_max_upscale_to_u16.</remarks>
    public static void VecU16MaxUpscaleToU16(ReadOnlySpan<ushort> vec, Span<ushort> destination)
    {
        var fixedValues = new I32F32[vec.Length];
        for (int i = 0; i < vec.Length; i++)
        {
            fixedValues[i] = I32F32.FromNum(vec[i]);
        }

        VecMaxUpscaleToU16(fixedValues, destination);
    }
}
