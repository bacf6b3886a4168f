using Bittensor.Ledger.Chain.Readers;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Readers;

public sealed class EpochScheduleTests
{
    /// <summary>Epochs the chain ran (chain-adapter.md, "Read this first"): SN1's LastMechansimStepBlock at spec 343, and
    /// IncentiveAlphaEmittedToMiners for SN52 (the recorded block) and SN79 at spec 393.</summary>
    [Theory]
    [InlineData(343u, 6_852_597L, (ushort)1, (ushort)99)]
    [InlineData(393u, 7_959_635L, (ushort)52, (ushort)360)]
    [InlineData(393u, 7_959_608L, (ushort)79, (ushort)360)]
    public void Observed_epochs_are_due_under_the_closed_form(uint spec, long block, ushort netuid, ushort tempo)
    {
        EpochSchedule.IsDue(spec, block, netuid, tempo).ShouldBeTrue();
        EpochSchedule.IsDue(spec, block - 1, netuid, tempo).ShouldBeFalse("the doc comment's '+ 1' would put it a block later");
        EpochSchedule.IsDue(spec, block + 1, netuid, tempo).ShouldBeFalse();
        EpochSchedule.NextAfter(block - 1, netuid, tempo).ShouldBe(block);
        EpochSchedule.NextAfter(block, netuid, tempo).ShouldBe(block + tempo + 1);
    }

    [Fact]
    public void Of_129_subnets_at_tempo_360_only_SN52_is_due_in_the_recorded_block()
    {
        var due = Enumerable.Range(0, 129).Where(n => EpochSchedule.IsDue(393, 7_959_635, (ushort)n, 360)).ToList();

        due.ShouldBe([52]);
    }

    [Fact]
    public void Tempo_zero_never_runs()
    {
        EpochSchedule.IsDue(393, 100, 1, 0).ShouldBeFalse();
        EpochSchedule.NextAfter(100, 1, 0).ShouldBeNull();
    }

    [Fact]
    public void Dynamic_tempo_runtimes_are_refused_with_what_to_read_instead()
    {
        Should.Throw<ChainLayoutException>(() => EpochSchedule.IsDue(423, 100, 1, 99)).Message.ShouldContain("LastEpochBlock");
    }
}
