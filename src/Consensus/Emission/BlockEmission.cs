using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Emission;

/// <summary>Block emission with halving (spec §4.2), in I96F32 exactly as subtensor's coinbase/block_emission.rs.</summary>
public static class BlockEmission
{
    /// <summary>21M TAO in rao.</summary>
    public const ulong TotalSupply = 21_000_000_000_000_000;

    /// <summary>1 TAO per block before the first halving.</summary>
    public const ulong DefaultBlockEmission = 1_000_000_000;

    private static readonly I96F32 Two = I96F32.FromNum(2);

    /// <summary>
    /// q = issuance / 21e15 (truncating), r = 1 / (1 − q) (truncating), k = floor(log2 r) with substrate-fixed's
    /// round-up halving, emission = floor(safe_div(1, 2^k) · 1e9). 0 at or above the total supply.
    /// The same function gives a subnet's alpha emission from its alpha issuance.
    /// </summary>
    /// <remarks>Port of block_emission.rs get_block_emission_for_issuance.</remarks>
    public static ulong ForIssuance(ulong issuance)
    {
        var issuanceFixed = I96F32.SaturatingFromNum(issuance);
        if (issuanceFixed >= I96F32.SaturatingFromNum(TotalSupply))
        {
            return 0;
        }

        // 2.0 * 10_500_000_000_000_000.0 as an f64 literal is exactly 21e15.
        var q = issuanceFixed.CheckedDiv(I96F32.SaturatingFromNum(TotalSupply))
            ?? throw new InvalidOperationException("Halving ratio overflow.");
        var oneMinusQ = I96F32.One.CheckedSub(q) ?? throw new InvalidOperationException("Halving ratio underflow.");
        var r = I96F32.One.CheckedDiv(oneMinusQ) ?? throw new InvalidOperationException("Halving reciprocal overflow.");
        int k = Log2IntegerPart(r);
        var mult = SaturatingPow(Two, k);
        var pct = I96F32.One.SafeDiv(mult);
        return pct.SaturatingMul(I96F32.SaturatingFromNum(DefaultBlockEmission)).SaturatingToU64();
    }

    /// <summary>
    /// Integer part of log2(x) for x ≥ 1 as substrate-fixed computes it: count how often x ≥ 2 can be halved when
    /// each halving rounds the dropped bit up, (x &gt;&gt; 1) + (x &amp; 1) on the raw bits.
    /// </summary>
    internal static int Log2IntegerPart(I96F32 x)
    {
        Int128 bits = x.Bits;
        Int128 two = (Int128)2 << I96F32.FracBits;
        int k = 0;
        while (bits >= two)
        {
            bits = (bits >> 1) + (bits & 1);
            k++;
        }

        return k;
    }

    private static I96F32 SaturatingPow(I96F32 b, int exponent)
    {
        var result = I96F32.One;
        for (int i = 0; i < exponent; i++)
        {
            result = result.SaturatingMul(b);
        }

        return result;
    }
}
