using System.Numerics;
using System.Runtime.CompilerServices;
using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Kernels;

public static partial class YumaMath
{
    private static readonly I32F32 ExpClamp = I32F32.FromNum(20);
    private static readonly I32F32 NegExpClamp = I32F32.FromNum(-20);

    /// <summary>e stored by substrate-fixed at I9F23 precision: 22802600 / 2^23, widened exactly to I32F32.</summary>
    /// <summary>Exact reciprocal divisors for the Taylor series' term/i, i in 2..31 (index = i).</summary>
    private static readonly U64Divisor[] SmallDivisors = [.. Enumerable.Range(0, 32).Select(i => new U64Divisor((ulong)Math.Max(i, 1)))];

    /// <summary>The same divisors (index = i, 2..31) for the interleaved series: one multiply per division, no correction.</summary>
    private static readonly BranchFreeDivisor[] SeriesDivisors = [.. Enumerable.Range(0, 32).Select(i => new BranchFreeDivisor((ulong)Math.Max(i, 2)))];

    private static readonly I32F32 EAtI9F23 = I32F32.FromBits(22802600L << 9);

    /// <summary>
    /// exp of x clamped to [−20, 20] via substrate-fixed's <c>transcendental::exp</c>: 0 → 1; exactly 1 → e at I9F23
    /// precision; otherwise the Taylor series of |x| to the 31st term with checked mul (floor) and checked div (truncate),
    /// inverted (checked 1/r) for negative x. Any overflow gives 0 for x ≤ 0 and MAX otherwise.
    /// </summary>
    /// <remarks>Port of math.rs exp_safe (safe_exp).</remarks>
    public static I32F32 ExpSafe(I32F32 input)
    {
        var x = input.Max(NegExpClamp).Min(ExpClamp);
        return Exp(x) ?? (x <= I32F32.Zero ? I32F32.Zero : I32F32.MaxValue);
    }

    private static I32F32? Exp(I32F32 x)
    {
        if (x.IsZero)
        {
            return I32F32.One;
        }

        if (x == I32F32.One)
        {
            return EAtI9F23;
        }

        bool negative = x < I32F32.Zero;
        var s = negative ? I32F32.Zero.WrappingSub(x) : x;
        var result = s.CheckedAdd(I32F32.One);
        if (result is null)
        {
            return null;
        }

        // On raw bits: s ≥ 0 (|x| ≤ 20 after the clamp), so every term and partial sum is non-negative.
        long sBits = s.Bits;
        long term = sBits;
        long sum = result.Value.Bits;
        for (int i = 2; i <= 31; i++)
        {
            // checked_mul(term, s) of two non-negative values: the unsigned 128-bit product shifted right 32 (floor),
            // None when it does not fit a long, i.e. when the high half reaches 2^31.
            ulong hi = Math.BigMul((ulong)term, (ulong)sBits, out ulong lo);
            if (hi >= 1UL << 31)
            {
                return null;
            }

            ulong t = (hi << 32) | (lo >> 32);

            // checked_div(term, I32F32(i)) = trunc((term·2^32)/(i·2^32)) = trunc(term/i): never overflows for i ≥ 2.
            // t ≥ 0 (a product of non-negative values, floored), so the signed division equals the unsigned one.
            term = unchecked((long)SmallDivisors[i].Divide(t));
            if (term == 0)
            {
                // Every later term is 0 too (0·s = 0, 0/i = 0) and adding 0 cannot overflow: same result, fewer steps.
                break;
            }

            // checked_add of two non-negative values overflows exactly when the wrapped sum is negative.
            sum = unchecked(sum + term);
            if (sum < 0)
            {
                return null;
            }
        }

        result = I32F32.FromBits(sum);
        return negative ? I32F32.One.CheckedDiv(result.Value) : result;
    }

    /// <summary>
    /// <see cref="ExpSafe(I32F32)"/> of every element, bit for bit: the Taylor series of four inputs runs interleaved, so
    /// their dependent multiply/divide chains overlap instead of running one after another.
    /// </summary>
    /// <remarks>Port of math.rs exp_safe, element-wise; <paramref name="destination"/> may be <paramref name="x"/>.</remarks>
    public static void ExpSafe(ReadOnlySpan<I32F32> x, Span<I32F32> destination)
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("destination is shorter than the input", nameof(destination));
        }

        int i = 0;
        for (; i + 4 <= x.Length; i += 4)
        {
            ExpSafe4(x.Slice(i, 4), destination.Slice(i, 4));
        }

        for (; i < x.Length; i++)
        {
            destination[i] = ExpSafe(x[i]);
        }
    }

    /// <summary>
    /// Four lanes of <see cref="Exp"/> after the clamp. The clamp bounds |x| by 20, so 1 + |x| cannot overflow and the
    /// lane result r = Σ terms is at least 1; the lanes keep stepping until every term is 0 (a lane whose term is 0 no
    /// longer changes) and record a checked_mul/checked_add overflow instead of leaving the loop.
    /// </summary>
    private static void ExpSafe4(ReadOnlySpan<I32F32> x, Span<I32F32> destination)
    {
        long x0 = x[0].Max(NegExpClamp).Min(ExpClamp).Bits, x1 = x[1].Max(NegExpClamp).Min(ExpClamp).Bits;
        long x2 = x[2].Max(NegExpClamp).Min(ExpClamp).Bits, x3 = x[3].Max(NegExpClamp).Min(ExpClamp).Bits;
        ulong s0 = Magnitude(x0), s1 = Magnitude(x1), s2 = Magnitude(x2), s3 = Magnitude(x3);
        ulong t0 = s0, t1 = s1, t2 = s2, t3 = s3;
        ulong r0 = s0 + OneBits, r1 = s1 + OneBits, r2 = s2 + OneBits, r3 = s3 + OneBits;
        ulong overflow = 0;
        unchecked
        {
            for (int i = 2; i <= 31 && (t0 | t1 | t2 | t3) != 0; i++)
            {
                var d = SeriesDivisors[i];
                t0 = Step(t0, s0, d, ref overflow);
                t1 = Step(t1, s1, d, ref overflow);
                t2 = Step(t2, s2, d, ref overflow);
                t3 = Step(t3, s3, d, ref overflow);
                r0 += t0;
                r1 += t1;
                r2 += t2;
                r3 += t3;
                // checked_add of non-negative values overflows exactly when the sum reaches 2^63 (sign bit set).
                overflow |= (r0 | r1 | r2 | r3) & (1UL << 63);
            }
        }

        if (overflow != 0)
        {
            // Rare (never for |x| ≤ 20, kept for exactness): redo the lanes one by one, each with its own overflow flag.
            for (int k = 0; k < 4; k++)
            {
                destination[k] = ExpSafe(x[k]);
            }

            return;
        }

        destination[0] = Finish(x0, r0);
        destination[1] = Finish(x1, r1);
        destination[2] = Finish(x2, r2);
        destination[3] = Finish(x3, r3);
    }

    private const long OneBits = 1L << I32F32.FracBits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Magnitude(long x) => x < 0 ? unchecked(0UL - (ulong)x) : (ulong)x;

    /// <summary>
    /// checked_div(checked_mul(term, s), i) on non-negative raw bits: the 128-bit product floored by 2^32, then divided by
    /// i (truncating); a product whose high half reaches 2^31 does not fit a long and sets <paramref name="overflow"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ulong term, ulong s, BranchFreeDivisor i, ref ulong overflow)
    {
        unchecked
        {
            ulong hi = Math.BigMul(term, s, out ulong lo);
            overflow |= hi >> 31;
            return i.Divide((hi << 32) | (lo >> 32));
        }
    }

    /// <summary>
    /// The lane's exp from its series sum r ≥ 1: 1 for x = 0, e at I9F23 for x = 1, r for x &gt; 0 and checked_div(1, r)
    /// for x &lt; 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static I32F32 Finish(long x, ulong r)
    {
        if (x == 0)
        {
            return I32F32.One;
        }

        if (x == OneBits)
        {
            return EAtI9F23;
        }

        if (x > 0)
        {
            return I32F32.FromBits(unchecked((long)r));
        }

        return ReciprocalOfAtLeastOne(r);
    }

    /// <summary>
    /// checked_div(1, b) for raw bits b ≥ 1.0 (2^32): (1·2^32)·2^32 / b = ⌊2^64 / b⌋ ≤ 2^32 always fits, and it is
    /// ⌊(2^64 − 1)/b⌋, plus 1 when b divides 2^64 (a power of two): one 64-bit divide instead of a 128-by-64 one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static I32F32 ReciprocalOfAtLeastOne(ulong b) =>
        I32F32.FromBits(unchecked((long)((ulong.MaxValue / b) + (BitOperations.IsPow2(b) ? 1UL : 0UL))));

    /// <summary>safe_div(1, exp_safe((−ρ)·(x − κ)) + 1) with saturating negation, subtraction, multiplication and addition.</summary>
    /// <remarks>Port of math.rs sigmoid_safe.</remarks>
    public static I32F32 SigmoidSafe(I32F32 input, I32F32 rho, I32F32 kappa)
    {
        var negRho = I32F32.Zero.SaturatingSub(rho);
        var offset = input.SaturatingSub(kappa);
        var exp = ExpSafe(negRho.SaturatingMul(offset));
        return I32F32.One.SafeDiv(exp.SaturatingAdd(I32F32.One));
    }
}
