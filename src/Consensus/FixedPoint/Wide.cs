namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// 256-bit intermediate arithmetic for the 128-bit fixed-point types. substrate-fixed widens
/// I64F64/I96F32/U96F32/U64F64 products and shifted dividends to 256 bits, so we must too.
/// </summary>
internal static class Wide
{
    /// <summary>Full unsigned 128x128 -> 256 product as (hi, lo).</summary>
    public static (UInt128 Hi, UInt128 Lo) MulFull(UInt128 a, UInt128 b)
    {
        // Truncating casts select 64-bit limbs; this is the only intended narrowing here.
        ulong a0 = unchecked((ulong)a), a1 = (ulong)(a >> 64), b0 = unchecked((ulong)b), b1 = (ulong)(b >> 64);
        ulong p00Hi = Math.BigMul(a0, b0, out ulong p00Lo);
        ulong p01Hi = Math.BigMul(a0, b1, out ulong p01Lo);
        ulong p10Hi = Math.BigMul(a1, b0, out ulong p10Lo);
        ulong p11Hi = Math.BigMul(a1, b1, out ulong p11Lo);

        // Column sums with carries, 64 bits at a time.
        UInt128 c1 = (UInt128)p00Hi + p01Lo + p10Lo;
        UInt128 c2 = (UInt128)p01Hi + p10Hi + p11Lo + (ulong)(c1 >> 64);
        UInt128 c3 = (UInt128)p11Hi + (ulong)(c2 >> 64);
        UInt128 lo = ((UInt128)unchecked((ulong)c1) << 64) | p00Lo;
        UInt128 hi = ((UInt128)unchecked((ulong)c3) << 64) | unchecked((ulong)c2);
        return (hi, lo);
    }

    /// <summary>
    /// (hi:lo) / d for a 256-bit dividend; false when d is 0 or the quotient needs more than 128 bits.
    /// Restoring binary long division: only used on 128-bit fixed-point division, never per entry of a matrix.
    /// </summary>
    public static bool DivFull(UInt128 hi, UInt128 lo, UInt128 d, out UInt128 quotient)
    {
        quotient = 0;
        if (d == 0 || hi >= d)
        {
            return false;
        }

        // floor(N / (D·2^t)) = floor(floor(N / 2^t) / D): dropping the divisor's trailing zeros (and as many low bits
        // of the dividend) changes nothing, and for the usual integer-valued divisors (a stake sum ·2^64) it leaves a
        // 128-bit dividend, i.e. one UInt128 division instead of the 128-step loop below.
        int tz = (int)UInt128.TrailingZeroCount(d);
        if (tz > 0)
        {
            lo = (lo >> tz) | (hi << (128 - tz));
            hi >>= tz;
            d >>= tz;
        }

        if (hi == 0)
        {
            quotient = lo / d;
            return true;
        }

        UInt128 rem = hi;
        UInt128 q = 0;
        for (int i = 127; i >= 0; i--)
        {
            bool carry = (rem >> 127) != 0;
            rem = (rem << 1) | ((lo >> i) & 1);
            q <<= 1;
            if (carry || rem >= d)
            {
                rem = unchecked(rem - d);
                q |= 1;
            }
        }

        quotient = q;
        return true;
    }

    public static UInt128 Magnitude(Int128 x) => x < 0 ? unchecked((UInt128)(-(x + 1))) + 1 : (UInt128)x;

    /// <summary>
    /// Signed (a*b) >> f with floor (arithmetic shift of the two's complement 256-bit product).
    /// Returns false on overflow of Int128; <paramref name="negative"/> says which way to saturate.
    /// </summary>
    public static bool MulShift(Int128 a, Int128 b, int f, out Int128 result, out bool negative)
    {
        negative = (a < 0) ^ (b < 0);
        var (hi, lo) = MulFull(Magnitude(a), Magnitude(b));
        if (negative && (hi != 0 || lo != 0))
        {
            lo = unchecked(~lo + 1);
            hi = unchecked(~hi + (lo == 0 ? 1u : 0u));
        }

        UInt128 shifted = (hi << (128 - f)) | (lo >> f);
        result = unchecked((Int128)shifted);
        Int128 top = unchecked((Int128)hi) >> f;
        Int128 expected = result < 0 ? -1 : 0;
        return top == expected;
    }

    /// <summary>Unsigned (a*b) >> f with floor; false on overflow of UInt128.</summary>
    public static bool MulShift(UInt128 a, UInt128 b, int f, out UInt128 result)
    {
        var (hi, lo) = MulFull(a, b);
        result = (hi << (128 - f)) | (lo >> f);
        return (hi >> f) == 0;
    }

    /// <summary>Signed (a &lt;&lt; f) / b truncating toward zero; false on b == 0 or overflow.</summary>
    public static bool DivShift(Int128 a, Int128 b, int f, out Int128 result, out bool negative)
    {
        negative = (a < 0) ^ (b < 0);
        result = 0;
        if (b == 0)
        {
            return false;
        }

        UInt128 ua = Magnitude(a);
        if (!DivFull(ua >> (128 - f), ua << f, Magnitude(b), out UInt128 q))
        {
            return false;
        }

        UInt128 limit = negative ? (UInt128)1 << 127 : ((UInt128)1 << 127) - 1;
        if (q > limit)
        {
            return false;
        }

        result = negative ? unchecked((Int128)(~q + 1)) : (Int128)q;
        return true;
    }

    /// <summary>Unsigned (a &lt;&lt; f) / b truncating; false on b == 0 or overflow.</summary>
    public static bool DivShift(UInt128 a, UInt128 b, int f, out UInt128 result) =>
        DivFull(a >> (128 - f), a << f, b, out result);

    /// <summary>
    /// floor((u1·2^64 + u0) / v) for u1 &lt; v (so the quotient fits 64 bits): Knuth's algorithm D on 32-bit digits,
    /// as in Hacker's Delight <c>divlu</c>. Integer only; exact.
    /// </summary>
    public static ulong DivLu(ulong u1, ulong u0, ulong v)
    {
        if (System.Runtime.Intrinsics.X86.X86Base.X64.IsSupported)
        {
            // One hardware 128/64 `div` (exact; cannot fault because u1 < v). The API is marked experimental
            // (SYSLIB5004) only for its shape; the software path below is the portable fallback and is tested directly.
#pragma warning disable SYSLIB5004
            return System.Runtime.Intrinsics.X86.X86Base.X64.DivRem(u0, u1, v).Quotient;
#pragma warning restore SYSLIB5004
        }

        return DivLuSoftware(u1, u0, v);
    }

    /// <summary>Portable <see cref="DivLu"/>: Knuth's algorithm D on 32-bit digits (Hacker's Delight divlu).</summary>
    internal static ulong DivLuSoftware(ulong u1, ulong u0, ulong v)
    {
        unchecked
        {
            const ulong b = 1UL << 32;
            int s = System.Numerics.BitOperations.LeadingZeroCount(v);
            v <<= s;
            ulong vn1 = v >> 32, vn0 = v & 0xFFFF_FFFF;
            ulong un32 = s == 0 ? u1 : (u1 << s) | (u0 >> (64 - s));
            ulong un10 = u0 << s;
            ulong un1 = un10 >> 32, un0 = un10 & 0xFFFF_FFFF;

            ulong q1 = un32 / vn1;
            ulong rhat = un32 - (q1 * vn1);
            while (q1 >= b || q1 * vn0 > (b * rhat) + un1)
            {
                q1--;
                rhat += vn1;
                if (rhat >= b)
                {
                    break;
                }
            }

            ulong un21 = (un32 * b) + un1 - (q1 * v);
            ulong q0 = un21 / vn1;
            rhat = un21 - (q0 * vn1);
            while (q0 >= b || q0 * vn0 > (b * rhat) + un0)
            {
                q0--;
                rhat += vn1;
                if (rhat >= b)
                {
                    break;
                }
            }

            return (q1 * b) + q0;
        }
    }
}
