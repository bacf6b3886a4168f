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
/// per-call 128/64 hardware divide replaced by an exact integer division by a constant where the result provably agrees:
/// <list type="bullet">
/// <item>an integer-valued positive divisor b = B·2^32 and a ≥ 0: (a·2^32)/(B·2^32) = ⌊a/B⌋, which always fits;</item>
/// <item>any positive divisor b and 0 ≤ a &lt; 2^32 (every proportion ≤ 1): the shifted dividend a·2^32 fits 64 bits,
/// q = ⌊a·2^32/b⌋, and safe_div gives 0 when q does not fit a long.</item>
/// </list>
/// Everything else (negative values, a zero or negative divisor, larger dividends) takes <see cref="I32F32.SafeDiv"/> itself.
/// </summary>
/// <remarks>
/// The integer division ⌊n/d⌋ (n &lt; 2^64) is <see cref="BranchFreeDivisor"/>'s for d ≥ 2 (libdivide's round-up
/// magic, exact for every 64-bit n: proof on that type), and n itself for d = 1. Rust truncates the quotient toward zero
/// and both operands are non-negative on these paths, so truncation is the floor that the magic computes. Until
/// 2026-12-04 this used <see cref="U64Divisor"/> (a reciprocal multiply, a multiply back and up to two remainder
/// corrections); the magic needs one high multiply, a subtraction, an addition and two shifts, with no data-dependent
/// step. The mode (which of the two cases, or neither) is fixed by the divisor, so it is decided once here.
/// </remarks>
internal readonly struct I32F32Divisor
{
    private const int Fallback = 0;
    private const int IntegerValued = 1;
    private const int IntegerOne = 2;
    private const int Proportion = 3;

    private readonly long _bits;
    private readonly BranchFreeDivisor _divide;
    private readonly int _mode;

    public I32F32Divisor(I32F32 divisor)
    {
        _bits = divisor.Bits;
        if (_bits <= 0)
        {
            _mode = Fallback;
        }
        else if ((_bits & 0xFFFF_FFFFL) == 0)
        {
            ulong whole = (ulong)(_bits >> I32F32.FracBits);
            _mode = whole == 1 ? IntegerOne : IntegerValued;
            if (whole >= 2)
            {
                _divide = new BranchFreeDivisor(whole);
            }
        }
        else if (_bits >= 2)
        {
            _mode = Proportion;
            _divide = new BranchFreeDivisor((ulong)_bits);
        }
        else
        {
            // b = 2^-32: a·2^32 / 1 overflows a long for a ≥ 2^31; rare enough to leave to SafeDiv.
            _mode = Fallback;
        }
    }

    /// <summary>Exactly <c>a.SafeDiv(divisor)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public I32F32 SafeDivide(I32F32 a)
    {
        long x = a.Bits;
        if (_mode == Proportion)
        {
            if (unchecked((ulong)x) < (1UL << I32F32.FracBits))
            {
                ulong q = _divide.Divide(unchecked((ulong)x) << I32F32.FracBits);
                return q <= long.MaxValue ? I32F32.FromBits((long)q) : I32F32.Zero;
            }
        }
        else if (_mode == IntegerValued)
        {
            if (x >= 0)
            {
                return I32F32.FromBits(unchecked((long)_divide.Divide(unchecked((ulong)x))));
            }
        }
        else if (_mode == IntegerOne && x >= 0)
        {
            return a;
        }

        return a.SafeDiv(I32F32.FromBits(_bits));
    }
}
