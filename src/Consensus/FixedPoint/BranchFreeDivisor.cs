using System.Numerics;
using System.Runtime.CompilerServices;

namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// floor(n / d) for a fixed divisor d ≥ 2 and any 64-bit n with one high multiply, a subtraction, an addition and two
/// shifts: no remainder check, so no second multiply (libdivide's branch-free unsigned 64-bit scheme, ridiculousfish/libdivide
/// <c>libdivide_u64_branchfree_gen</c>/<c>_do</c>). The magic is the 65-bit M = ⌈2^(65+L)/d⌉ (L = ⌊log2 d⌋) without its top
/// bit; the "(n − q)/2 + q" step adds that bit back without overflowing. Exactness is checked against the hardware
/// divide in FixedPointTests.
/// </summary>
/// <remarks>
/// Why it is exact for every n &lt; 2^64 (d not a power of two; powers of two are a plain shift): let ℓ = L + 1, so
/// 2^(ℓ−1) &lt; d &lt; 2^ℓ, M = ⌈2^(64+ℓ)/d⌉ ∈ (2^64, 2^65) and e = M·d − 2^(64+ℓ) ∈ [0, d). Then
/// n·M/2^(64+ℓ) = n/d + n·e/(d·2^(64+ℓ)) and the second term is below 2^64·2^ℓ/(d·2^(64+ℓ)) = 1/d; the fractional
/// part of n/d is at most (d − 1)/d, so ⌊n·M/2^(64+ℓ)⌋ = ⌊n/d⌋. With m = M − 2^64 (the stored magic) and
/// q = ⌊n·m/2^64⌋: ⌊n·M/2^64⌋ = n + q, and ⌊(n + q)/2⌋ = ⌊(n − q)/2⌋ + q (q ≤ n), then a shift by ℓ − 1 = L
/// gives ⌊(n + q)/2^ℓ⌋ = ⌊n/d⌋ (nested floors of divisions by powers of two compose).
/// </remarks>
internal readonly struct BranchFreeDivisor
{
    private readonly ulong _magic;
    private readonly int _shift;

    /// <param name="d">The divisor; at least 2.</param>
    public BranchFreeDivisor(ulong d)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 2UL);
        int log = 63 - BitOperations.LeadingZeroCount(d);
        if (BitOperations.IsPow2(d))
        {
            // q = 0, t = n/2, then the remaining log − 1 bits.
            _magic = 0;
            _shift = log - 1;
            return;
        }

        unchecked
        {
            var numerator = UInt128.One << (64 + log);
            ulong m = (ulong)(numerator / d);
            ulong rem = (ulong)(numerator % d);
            // Double m (its top bit leaves the 64-bit word, as in libdivide) and round up.
            m += m;
            ulong twiceRem = rem + rem;
            if (twiceRem >= d || twiceRem < rem)
            {
                m++;
            }

            _magic = m + 1;
            _shift = log;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Divide(ulong n)
    {
        unchecked
        {
            ulong q = Math.BigMul(n, _magic, out _);
            return (((n - q) >> 1) + q) >> _shift;
        }
    }
}
