using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>
/// Childkey inheritance in U96F32 (stake_utils.rs): a proportion p is floor(p·2^32 / u64::MAX) / 2^32, so u64::MAX/4 is
/// 1 073 741 823 / 2^32, just under a quarter; each share is floor(stake·bits) / 2^32 before the final truncation.
/// </summary>
public sealed class StakeInheritanceTests
{
    [Fact]
    public void A_parent_keeps_its_stake_minus_a_share_truncated_below_a_quarter()
    {
        // 400e9 − 400e9·1073741823/2^32 = 300 000 000 093.1…
        StakeInheritance.Inherited(400_000_000_000, [ulong.MaxValue / 4], []).ShouldBe(300_000_000_093UL);
    }

    [Fact]
    public void A_child_adds_what_its_parents_lend_it()
    {
        // The same, plus 50e9·1431655765/2^32 from a parent lending a third.
        StakeInheritance.Inherited(400_000_000_000, [ulong.MaxValue / 4], [(ulong.MaxValue / 3, 50_000_000_000UL)]).ShouldBe(316_666_666_755UL);
        StakeInheritance.Inherited(0, [], [(ulong.MaxValue, 7UL)]).ShouldBe(7UL);
    }

    [Fact]
    public void Lending_more_than_everything_saturates_at_zero()
    {
        StakeInheritance.Inherited(1_000, [ulong.MaxValue, ulong.MaxValue], []).ShouldBe(0UL);
        StakeInheritance.Inherited(1_000, [], []).ShouldBe(1_000UL);
    }
}
