using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Emission;

/// <summary>Registration burn price: per-block decay toward half every half-life and the bump after a registration (spec §4.7).</summary>
public static class BurnPrice
{
    private const ulong OneQ32 = 1UL << 32;
    private const ulong HalfQ32 = 1UL << 31;

    /// <summary>min((v · f) &gt;&gt; 32, u64::MAX): multiply by a Q32 factor, floor.</summary>
    /// <remarks>Port of registration.rs mul_by_q32.</remarks>
    public static ulong MulByQ32(ulong value, ulong factorQ32)
    {
        UInt128 p = ((UInt128)value * factorQ32) >> 32;
        return p > ulong.MaxValue ? ulong.MaxValue : (ulong)p;
    }

    /// <summary>base^exp in Q32 by square-and-multiply, each product floored by <see cref="MulByQ32"/>.</summary>
    /// <remarks>Port of registration.rs pow_q32.</remarks>
    public static ulong PowQ32(ulong baseQ32, ulong exponent)
    {
        ulong result = OneQ32;
        ulong b = baseQ32;
        ulong e = exponent;
        while (e > 0)
        {
            if ((e & 1) == 1)
            {
                result = MulByQ32(result, b);
            }

            e >>= 1;
            if (e > 0)
            {
                b = MulByQ32(b, b);
            }
        }

        return result;
    }

    /// <summary>The largest f in [0, 2^32] with pow_q32(f, halfLife) ≤ 2^31 (binary search), so burn halves every halfLife blocks.</summary>
    /// <remarks>Port of registration.rs decay_factor_q32.</remarks>
    public static ulong DecayFactorQ32(ushort halfLife)
    {
        ulong lo = 0, hi = OneQ32;
        while (lo < hi)
        {
            ulong mid = lo + ((hi - lo + 1) / 2);
            if (PowQ32(mid, halfLife) <= HalfQ32)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>One block of decay: clamp(mul_by_q32(burn, f), min, max).</summary>
    public static ulong Decay(ulong burn, ulong factorQ32, ulong minBurn, ulong maxBurn) => Clamp(MulByQ32(burn, factorQ32), minBurn, maxBurn);

    /// <summary>
    /// The per-block update as the chain applies it: no decay when halfLife is 0 or block ≤ 1; otherwise <see cref="Decay"/>
    /// with <see cref="DecayFactorQ32"/>.
    /// </summary>
    public static ulong DecayForBlock(ulong burn, ushort halfLife, ulong block, ulong minBurn, ulong maxBurn) =>
        halfLife == 0 || block <= 1 ? burn : Decay(burn, DecayFactorQ32(halfLife), minBurn, maxBurn);

    /// <summary>After a registration: clamp(floor(burn · max(mult, 1)), min, max) in U64F64.</summary>
    public static ulong AfterRegistration(ulong burn, U64F64 increaseMult, ulong minBurn, ulong maxBurn)
    {
        var mult = increaseMult < U64F64.One ? U64F64.One : increaseMult;
        ulong raised = U64F64.SaturatingFromNum(burn).SaturatingMul(mult).SaturatingToU64();
        return Clamp(raised, minBurn, maxBurn);
    }

    private static ulong Clamp(ulong value, ulong min, ulong max) => value < min ? min : value > max ? max : value;
}
