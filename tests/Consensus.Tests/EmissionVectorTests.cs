using Bittensor.Ledger.Consensus.Emission;
using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>block_emission_halving and registration_burn_decay: exact u64.</summary>
public sealed class EmissionVectorTests
{
    [Fact]
    public void BlockEmission_MatchesHalvingTable()
    {
        using var doc = VectorFiles.Load("block_emission_halving.json");
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            ulong issuance = c.GetProperty("issuance_rao").GetUInt64();
            BlockEmission.ForIssuance(issuance).ShouldBe(c.GetProperty("block_emission_rao").GetUInt64(), $"issuance {issuance}");
        }
    }

    [Fact]
    public void BurnPrice_MatchesAssertedDecayAndRegistrationBumps()
    {
        using var doc = VectorFiles.Load("registration_burn_decay.json");
        var cases = doc.RootElement.GetProperty("cases");

        var halves = cases[0];
        ulong f2 = BurnPrice.DecayFactorQ32(halves.GetProperty("half_life").GetUInt16());
        f2.ShouldBe(halves.GetProperty("decay_factor_q32").GetUInt64());
        ulong burn = halves.GetProperty("initial_burn").GetUInt64();
        var sequence = new List<ulong>();
        for (int block = 0; block < 4; block++)
        {
            burn = BurnPrice.Decay(burn, f2, 0, ulong.MaxValue);
            sequence.Add(burn);
        }

        sequence.ShouldBe([.. halves.GetProperty("model_sequence").EnumerateArray().Select(e => e.GetUInt64())]);
        sequence[1].ShouldBe(halves.GetProperty("asserted").GetProperty("after_2_blocks").GetUInt64());
        sequence[3].ShouldBe(halves.GetProperty("asserted").GetProperty("after_4_blocks").GetUInt64());

        var bump = cases[1];
        ulong f1000 = BurnPrice.DecayFactorQ32(bump.GetProperty("half_life").GetUInt16());
        f1000.ShouldBe(bump.GetProperty("decay_factor_q32").GetUInt64());
        ulong raised = BurnPrice.AfterRegistration(bump.GetProperty("initial_burn").GetUInt64(), U64F64.FromNum(bump.GetProperty("burn_increase_mult").GetUInt64()), 0, ulong.MaxValue);
        raised.ShouldBe(bump.GetProperty("asserted").GetProperty("after_registration").GetUInt64());
        BurnPrice.Decay(raised, f1000, 0, ulong.MaxValue).ShouldBe(bump.GetProperty("asserted").GetProperty("after_1_block").GetUInt64());

        var plain = cases[2];
        BurnPrice.DecayFactorQ32(plain.GetProperty("half_life").GetUInt16()).ShouldBe(plain.GetProperty("decay_factor_q32").GetUInt64());
        BurnPrice.DecayForBlock(plain.GetProperty("initial_burn").GetUInt64(), 1000, 2, 0, ulong.MaxValue)
            .ShouldBe(plain.GetProperty("asserted").GetProperty("after_1_block").GetUInt64());
    }

    [Fact]
    public void BurnPrice_NoDecayAtBlockOneOrZeroHalfLife()
    {
        BurnPrice.DecayForBlock(1000, 1000, 1, 0, ulong.MaxValue).ShouldBe(1000UL);
        BurnPrice.DecayForBlock(1000, 0, 50, 0, ulong.MaxValue).ShouldBe(1000UL);
        BurnPrice.Decay(1000, BurnPrice.DecayFactorQ32(2), 900, ulong.MaxValue).ShouldBe(900UL);
    }
}
