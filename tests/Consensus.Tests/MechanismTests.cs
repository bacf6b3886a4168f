using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Consensus.Tests;

public sealed class MechanismTests
{
    [Fact]
    public void SplitWithoutShares_GivesRemainderToMechanismZero()
    {
        YumaMechanisms.SplitEmissions(10, 3).ShouldBe([4UL, 3UL, 3UL]);
        YumaMechanisms.SplitEmissions(10, 0).ShouldBeEmpty();
    }

    [Fact]
    public void SplitWithShares_FloorsEachPartAndPadsWithZero()
    {
        // floor(1e9·32768/65535) = 500007629, floor(1e9·32767/65535) = 499992370; the lost rao goes to mechanism 0.
        YumaMechanisms.SplitEmissions(1_000_000_000, 3, [32768, 32767]).ShouldBe([500_007_630UL, 499_992_370UL, 0UL]);
    }

    [Fact]
    public void TwoMechanisms_SumEmissionsAndWeightU16Terms()
    {
        var input = new YumaInput
        {
            N = 2,
            CurrentBlock = 1,
            StakeAlphaRao = [1_000_000_000, 1_000_000_000],
            BlockAtRegistration = [0, 0],
            LastUpdate = [1, 1],
            ValidatorPermit = [true, true],
            Weights = [[], []],
            Bonds = [[], []],
            Hyperparameters = new YumaHyperparameters { Tempo = 10, ActivityCutoff = 138, MaxAllowedValidators = 100 },
        };
        var (aggregate, perMechanism) = YumaMechanisms.Run([input, input], 1_000_000_001);
        perMechanism.Length.ShouldBe(2);
        perMechanism[0].ValidatorEmission.ShouldBe([250_000_000UL, 250_000_000UL]);
        aggregate.ValidatorEmission.ShouldBe([500_000_000UL, 500_000_000UL]);
        aggregate.StakeWeight.ShouldBe([32766, 32766]); // floor(32767·w0) + floor-accumulated 32767·w1, w ≈ 0.5
        aggregate.NewValidatorPermit.ShouldBe([true, true]);
        // Emission is weighted like the u16 terms (weighted_acc_alpha), not summed: floor(250e6·w0) then + 250e6·w1.
        perMechanism[0].Emission.ShouldBe([250_000_000UL, 250_000_000UL]);
        aggregate.Emission.ShouldBe([249_999_999UL, 249_999_999UL]);
    }

    [Fact]
    public void NothingDistributed_GivesMechanismZeroTheWholeWeight()
    {
        var input = new YumaInput
        {
            N = 2,
            CurrentBlock = 1,
            StakeAlphaRao = [1_000_000_000, 1_000_000_000],
            BlockAtRegistration = [0, 0],
            LastUpdate = [1, 1],
            ValidatorPermit = [true, true],
            Weights = [[], []],
            Bonds = [[], []],
            Hyperparameters = new YumaHyperparameters { Tempo = 10, ActivityCutoff = 138, MaxAllowedValidators = 100 },
        };

        var (aggregate, perMechanism) = YumaMechanisms.Run([input, input], 0);

        // safe_div_or(part, 0, 1 for mechanism 0 else 0): the u16 terms are mechanism 0's, not zeros.
        aggregate.StakeWeight.ShouldBe(perMechanism[0].StakeWeight);
        aggregate.StakeWeight.ShouldBe([32767, 32767]);
        aggregate.Emission.ShouldBe([0UL, 0UL]);
    }

    [Fact]
    public void BondsReset_RemovesOneColumnOnlyWhenEnabled()
    {
        (ushort, ushort)[][] bonds = [[(0, 5), (2, 7)], [(2, 1)], []];
        BondsReset.ResetColumn(bonds, 2).ShouldBe([[(0, 5)], [], []]);
        BondsReset.ResetColumn(bonds, 2, bondsResetOn: false).ShouldBeSameAs(bonds);
    }

    [Fact]
    public void TaoWeight_DefaultStorageValue_IsAboutFivePercent()
    {
        var weight = StakeWeights.TaoWeight(971_718_665_099_567_868);
        weight.ToDouble().ShouldBe(0.05267, 0.00001);
        StakeWeights.TaoWeight(0).ShouldBe(I64F64.Zero);
        StakeWeights.TaoWeight(ulong.MaxValue).ShouldBe(I64F64.One);
    }

    [Fact]
    public void TaoStake_IsAddedWithTaoWeight()
    {
        var baseInput = new YumaInput
        {
            N = 2,
            CurrentBlock = 1,
            StakeAlphaRao = [1_000, 0],
            StakeTaoRao = [0, 2_000],
            TaoWeight = I64F64.FromBits((Int128)1 << 63), // 0.5
            BlockAtRegistration = [0, 0],
            LastUpdate = [1, 1],
            ValidatorPermit = [true, true],
            Weights = [[], []],
            Bonds = [[], []],
        };
        YumaEpoch.Run(baseInput).StakeWeight.ShouldBe([32767, 32767]);
    }
}
