using Bittensor.Ledger.Chain.Audit;
using Bittensor.Ledger.Chain.Readers;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Audit;

/// <summary>Each variant switches at the spec where the subtensor release tag changed it (ADR 0011), and not a spec earlier.</summary>
public sealed class EpochRulesTests
{
    [Theory]
    [InlineData(320u, false, false, true, true)]
    [InlineData(333u, false, false, true, true)]
    [InlineData(334u, false, false, true, false)]
    [InlineData(364u, false, false, true, false)]
    [InlineData(365u, false, false, false, false)]
    [InlineData(400u, false, false, false, false)]
    [InlineData(401u, false, true, false, false)]
    [InlineData(422u, false, true, false, false)]
    [InlineData(423u, true, true, false, false)]
    [InlineData(425u, true, true, false, false)]
    public void The_rule_set_is_chosen_by_the_spec_that_executed_the_block(uint spec, bool dynamicTempo, bool ownerExempt, bool rankTrust, bool rootAsStake)
    {
        EpochRules.For(spec).ShouldBe(new EpochRules(spec, dynamicTempo, ownerExempt, rankTrust, rootAsStake));
    }

    [Fact]
    public void Specs_before_320_are_refused()
    {
        Should.Throw<UnsupportedSpecException>(() => EpochRules.For(319)).Spec.ShouldBe(319u);
    }

    [Fact]
    public void The_activity_cutoff_is_stored_before_423_and_a_tempo_multiple_from_it()
    {
        EpochRules.For(393).ActivityCutoff(5000, 13_889, 360).ShouldBe(5000UL);
        EpochRules.For(423).ActivityCutoff(5000, 13_889, 360).ShouldBe(5000UL); // 13 889 · 360 / 1000 = 5000.04
        EpochRules.For(423).ActivityCutoff(5000, 1000, 99).ShouldBe(99UL);
        EpochRules.For(423).ActivityCutoff(5000, 1, 360).ShouldBe(1UL, "never below one block");
    }

    [Fact]
    public void The_bonds_mask_uses_the_last_step_only_from_423()
    {
        EpochRules.For(422).BondsMaskStep(7_999_000).ShouldBe(0UL, "0 makes the port mask at B − tempo");
        EpochRules.For(423).BondsMaskStep(7_999_000).ShouldBe(7_999_000UL);
    }

    [Fact]
    public void Before_423_the_schedule_is_the_closed_form_whatever_the_slot_says()
    {
        var slot = new EpochSlot(LastEpochBlock: 0, PendingEpochAt: 1, BlocksSinceLastStep: 60_000);

        EpochSchedule.IsDue(393, 7_959_635, 52, 360, slot).ShouldBeTrue();
        EpochSchedule.IsDue(393, 7_959_636, 52, 360, slot).ShouldBeFalse();
    }

    [Theory]
    [InlineData(1_000L, 640UL, 0UL, 5UL, true)]    // tempo blocks since LastEpochBlock
    [InlineData(999L, 640UL, 0UL, 5UL, false)]     // one short
    [InlineData(700L, 640UL, 700UL, 5UL, true)]    // owner trigger (or a deferral) due now
    [InlineData(699L, 640UL, 700UL, 5UL, false)]   // trigger not yet due
    [InlineData(700L, 640UL, 0UL, 50_400UL, true)] // the MAX_TEMPO safety net, after this block is counted
    [InlineData(700L, 640UL, 0UL, 50_399UL, false)]
    public void From_423_the_schedule_reads_the_slot(long block, ulong last, ulong pending, ulong sinceLastStep, bool due)
    {
        EpochSchedule.IsDue(423, block, 52, 360, new EpochSlot(last, pending, sinceLastStep)).ShouldBe(due);
    }

    [Fact]
    public void Tempo_zero_never_runs_under_either_schedule()
    {
        EpochSchedule.IsDue(423, 10_000, 52, 0, new EpochSlot(0, 10_000, 60_000)).ShouldBeFalse();
        EpochSchedule.IsDue(393, 10_000, 52, 0, default).ShouldBeFalse();
    }
}
