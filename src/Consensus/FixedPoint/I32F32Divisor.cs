using System.Runtime.CompilerServices;

namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// floor(n / d) for a fixed 64-bit divisor without a hardware divide per call: q = mulhi(n, ⌊(2^64−1)/d⌋) never exceeds
/// the true quotient and the remainder corrections bring it up to it, so the result is exact by construction
/// (integer only).
/// </summary>
/// <remarks>
/// With r = ⌊(2^64−1)/d⌋ &gt; (2^64−1)/d − 1 and n &lt; 2^64: n·r/2^64 &gt; n/d − n/(d·2^64) − n/2^64 &gt; n/d − 2, so
/// ⌊n·r/2^64⌋ &gt; n/d − 3 and q is at most 2 below ⌊n/d⌋; and r ≤ 2^64/d means it is never above.
/// </remarks>
internal readonly struct U64Divisor
{
    private readonly ulong _d;
    private readonly ulong _reciprocal;

    /// <param name="d">The divisor; must not be 0.</param>
    public U64Divisor(ulong d)
    {
        _d = d;
        _reciprocal = ulong.MaxValue / d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Divide(ulong n) => Divide(n, _d, _reciprocal);

    /// <summary>floor(n / d) given <paramref name="reciprocal"/> = ⌊(2^64−1)/d⌋.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Divide(ulong n, ulong d, ulong reciprocal)
    {
        unchecked
        {
            ulong q = Math.BigMul(n, reciprocal, out _);
            ulong rem = n - (q * d);

            // q is at most 2 short (see the type's remarks): two branch-free corrections, then a loop that never runs.
            ulong c = rem >= d ? 1UL : 0UL;
            q += c;
            rem -= d & (0UL - c);
            c = rem >= d ? 1UL : 0UL;
            q += c;
            rem -= d & (0UL - c);
            while (rem >= d)
            {
                q++;
                rem -= d;
            }

            return q;
        }
    }
}

/// <summary>
/// <see cref="I32F32.SafeDiv"/> by one divisor applied to many dividends (a column or row sum, a column max), with the
/// per-call 128/64 hardware divide replaced by <see cref="U64Divisor"/> where the result provably agrees:
/// <list type="bullet">
/// <item>an integer-valued positive divisor b = B·2^32 and a ≥ 0: (a·2^32)/(B·2^32) = ⌊a/B⌋, which always fits;</item>
/// <item>any positive divisor b and 0 ≤ a &lt; 2^32 (every proportion ≤ 1): the shifted dividend a·2^32 fits 64 bits,
/// q = ⌊a·2^32/b⌋, and safe_div gives 0 when q does not fit a long.</item>
/// </list>
/// Everything else (negative values, a zero divisor, larger dividends) takes <see cref="I32F32.SafeDiv"/> itself.
/// </summary>
internal readonly struct I32F32Divisor
{
    // 16 bytes (an array of one per column of a 4096-uid subnet stays off the large object heap): the mode and the
    // integer divisor are re-derived from the bits, which costs a few ALU operations per call.
    private readonly long _bits;
    private readonly ulong _reciprocal;

    public I32F32Divisor(I32F32 divisor)
    {
        _bits = divisor.Bits;
        if (_bits > 0)
        {
            _reciprocal = ulong.MaxValue / IntegerDivisor(_bits);
        }
    }

    /// <summary>B for an integer-valued b = B·2^32, else b itself (b &gt; 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong IntegerDivisor(long bits) =>
        (bits & 0xFFFF_FFFFL) == 0 ? (ulong)(bits >> I32F32.FracBits) : (ulong)bits;

    /// <summary>Exactly <c>a.SafeDiv(divisor)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public I32F32 SafeDivide(I32F32 a)
    {
        long x = a.Bits;
        if (_bits > 0)
        {
            if ((_bits & 0xFFFF_FFFFL) == 0)
            {
                if (x >= 0)
                {
                    return I32F32.FromBits(unchecked((long)U64Divisor.Divide(unchecked((ulong)x), (ulong)(_bits >> I32F32.FracBits), _reciprocal)));
                }
            }
            else if (unchecked((ulong)x) < (1UL << I32F32.FracBits))
            {
                ulong q = U64Divisor.Divide(unchecked((ulong)x) << I32F32.FracBits, (ulong)_bits, _reciprocal);
                return q <= long.MaxValue ? I32F32.FromBits((long)q) : I32F32.Zero;
            }
        }

        return a.SafeDiv(I32F32.FromBits(_bits));
    }
}
