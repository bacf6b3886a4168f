using Bittensor.Ledger.Consensus.Emission;
using Bittensor.Ledger.Consensus.FixedPoint;
using CsCheck;

namespace Bittensor.Ledger.Consensus.Tests;

public sealed class CoinbaseTests
{
    [Fact]
    public void SplitAlpha_OneTao_MatchesTheU96F32StepsComputedByHand()
    {
        // cut = floor(11796·2^32 / 65535) raw; owner = floor(1e9 · cut); rest = 1e9 − owner (raw); server = rest/2 (raw,
        // floor); validator = rest − server (raw); each floored to rao.
        UInt128 one = (UInt128)1 << 32;
        UInt128 alphaBits = 1_000_000_000 * one;
        UInt128 cutBits = ((UInt128)11_796 << 32) / 65_535;
        UInt128 ownerBits = alphaBits * cutBits >> 32;
        UInt128 restBits = alphaBits - ownerBits;
        UInt128 serverBits = restBits >> 1;
        UInt128 validatorBits = restBits - serverBits;

        var split = Coinbase.SplitAlpha(1_000_000_000, 11_796, U96F32.Zero);

        split.Owner.ShouldBe((ulong)(ownerBits >> 32));
        split.Server.ShouldBe((ulong)(serverBits >> 32));
        split.Validator.ShouldBe((ulong)(validatorBits >> 32));
        split.Root.ShouldBe(0UL);
        (split.Owner + split.Server + split.Validator + split.Dust).ShouldBe(1_000_000_000UL);
        split.Owner.ShouldBe(179_995_422UL); // 18.0% of 1 TAO
    }

    [Fact]
    public void SplitAlpha_PartsAndDustAddUpToTheEmission_ForAnyAmountCutAndRootProportion()
    {
        Gen.Select(Gen.ULong[0, 21_000_000_000_000_000], Gen.UShort, Gen.UInt).Sample((alpha, cut, root) =>
        {
            var split = Coinbase.SplitAlpha(alpha, cut, U96F32.FromBits(root));
            ((UInt128)split.Owner + split.Server + split.Validator + split.Root + split.Dust).ShouldBe((UInt128)alpha);
            split.Dust.ShouldBeLessThanOrEqualTo(4UL); // one floor per part
        });
    }

    [Fact]
    public void SubnetTao_FloorsTheShareOfBlockEmission()
    {
        Coinbase.SubnetTao(1_000_000_000, 1, 3).ShouldBe(333_333_333UL);
        Coinbase.SubnetTao(1_000_000_000, 3, 3).ShouldBe(1_000_000_000UL);
        Coinbase.SubnetTao(1_000_000_000, 1, 0).ShouldBe(0UL);
        Coinbase.SubnetTao(0, 1, 2).ShouldBe(0UL);
    }

    [Fact]
    public void ValidatorPayouts_AreProportional_AndNeverExceedThePot()
    {
        var payouts = new ulong[3];
        Coinbase.ValidatorPayouts(1_000, [1, 1, 2], payouts);
        payouts.ShouldBe([250UL, 250UL, 500UL]);

        Gen.Select(Gen.ULong[0, 21_000_000_000_000_000], Gen.ULong[0, 1_000_000_000_000].Array[0, 64]).Sample((pot, dividends) =>
        {
            var paid = new ulong[dividends.Length];
            Coinbase.ValidatorPayouts(pot, dividends, paid);
            var sum = paid.Aggregate((UInt128)0, (a, p) => a + p);
            sum.ShouldBeLessThanOrEqualTo((UInt128)pot);
            if (dividends.All(d => d == 0))
            {
                sum.ShouldBe((UInt128)0);
            }
        });
    }

    [Fact]
    public void TakeAndProRata_Floor()
    {
        Coinbase.Take(65_535, 11_796).ShouldBe(11_795UL); // 11796/65535 in U96F32 is a hair under 0.18
        Coinbase.Take(1_000, 0).ShouldBe(0UL);
        Coinbase.Take(1_000, 65_535).ShouldBe(1_000UL);
        Coinbase.ProRata(100, 1, 3).ShouldBe(33UL);
        Coinbase.ProRata(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue).ShouldBe(ulong.MaxValue);
        Coinbase.ProRata(100, 1, 0).ShouldBe(0UL);
    }
}
