using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Emission;

/// <summary>The alpha a subnet emits in one block, split as <c>emit_to_subnets</c> does (spec §4.4), each part floored
/// to rao. <see cref="Dust"/> is what the floors left: <c>Owner + Server + Validator + Root + Dust = alpha_out</c>.</summary>
public readonly record struct AlphaSplit(ulong Owner, ulong Server, ulong Validator, ulong Root, ulong Dust);

/// <summary>The coinbase arithmetic of subtensor's <c>run_coinbase.rs</c> that the ledger reproduces without the AMM
/// (spec §4.3, §4.4, §4.8): a subnet's TAO share of block emission, the per-block alpha split into owner cut, server,
/// validator and root parts, and the epoch's dividend payouts and delegate take.</summary>
public static class Coinbase
{
    private static readonly U96F32 Half = U96F32.FromBits(U96F32.One.Bits >> 1);
    private static readonly U96F32 U16Max = U96F32.FromNum(ushort.MaxValue);

    /// <summary>
    /// <c>tao_emission_i = U96F32(U64F64(block_emission) · share_i)</c> floored to rao, with the share given as
    /// numerator/denominator (U64F64 safe_div: a zero denominator gives 0).
    /// </summary>
    public static ulong SubnetTao(ulong blockEmission, ulong shareNumerator, ulong shareDenominator)
    {
        var share = U64F64.FromNum(shareNumerator).SafeDiv(U64F64.FromNum(shareDenominator));
        var tao = U64F64.FromNum(blockEmission).SaturatingMul(share);
        // U64F64 → U96F32 drops 32 fractional bits (floor); the floor to rao drops the rest.
        var integer = tao.FloorToInt();
        return integer > ulong.MaxValue ? ulong.MaxValue : (ulong)integer;
    }

    /// <summary>
    /// Splits one block's <paramref name="alphaOut"/> in U96F32 (spec §4.4):
    /// owner_cut = alpha_out · cut/65535; rest = alpha_out − owner_cut; root = root_prop · rest · 0.5;
    /// server = rest · 0.5; validator = rest − server − root. Each part is floored to rao; the remainder is dust.
    /// </summary>
    /// <param name="ownerCut">SubnetOwnerCut as a u16 proportion of 65535 (0 when the owner cut is disabled).</param>
    /// <param name="rootProportion">tao_weight·root_tao / (tao_weight·root_tao + alpha_issuance); 0 without a root subnet.</param>
    public static AlphaSplit SplitAlpha(ulong alphaOut, ushort ownerCut, U96F32 rootProportion)
    {
        var alpha = U96F32.FromNum(alphaOut);
        var cut = U96F32.FromNum(ownerCut).SafeDiv(U16Max);
        var owner = alpha.SaturatingMul(cut);
        var rest = alpha.SaturatingSub(owner);
        var root = rootProportion.SaturatingMul(rest).SaturatingMul(Half);
        var server = rest.SaturatingMul(Half);
        var validator = rest.SaturatingSub(server).SaturatingSub(root);
        ulong o = owner.SaturatingToU64(), s = server.SaturatingToU64(), v = validator.SaturatingToU64(), r = root.SaturatingToU64();
        return new AlphaSplit(o, s, v, r, alphaOut - o - s - v - r);
    }

    /// <summary>
    /// Validator payouts from the epoch's validator pot (spec §4.8, <c>calculate_dividend_distribution</c>):
    /// payout_h = floor( (d_h / Σd) · pot ) in U96F32, the proportion a checked division (0 when Σd = 0).
    /// Σ payouts ≤ pot; the caller books the difference as dust.
    /// </summary>
    public static void ValidatorPayouts(ulong pot, ReadOnlySpan<ulong> dividends, Span<ulong> payouts)
    {
        if (payouts.Length < dividends.Length)
        {
            throw new ArgumentException("payouts is shorter than dividends", nameof(payouts));
        }

        var total = U96F32.Zero;
        foreach (var d in dividends)
        {
            total = total.SaturatingAdd(U96F32.FromNum(d));
        }

        var potFixed = U96F32.FromNum(pot);
        for (int i = 0; i < dividends.Length; i++)
        {
            var proportion = U96F32.FromNum(dividends[i]).CheckedDiv(total) ?? U96F32.Zero;
            payouts[i] = proportion.SaturatingMul(potFixed).SaturatingToU64();
        }
    }

    /// <summary>The delegate's take of a payout: floor(payout · take/65535) in U96F32 (<c>Delegates[hotkey]</c>).</summary>
    public static ulong Take(ulong payout, ushort take) =>
        U96F32.FromNum(payout).SaturatingMul(U96F32.FromNum(take).SafeDiv(U16Max)).SaturatingToU64();

    /// <summary>A nominator's share of what is left after the take: floor(amount · stake / totalStake), exact in
    /// integers (the chain's share pool has no per-coldkey rounding; the ledger books the remainders as dust).</summary>
    public static ulong ProRata(ulong amount, ulong stake, ulong totalStake) =>
        totalStake == 0 ? 0 : (ulong)((UInt128)amount * stake / totalStake);
}
