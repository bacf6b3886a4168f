using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Yuma;

/// <summary>
/// Childkey stake inheritance (spec §1.1), so an audit can rebuild the epoch's stake vector from stored stakes and
/// ChildKeys/ParentKeys rows: a hotkey keeps its own stake minus what it lends its children and gains what its parents
/// lend it, each share a u64 proportion of u64::MAX, all in U96F32.
/// </summary>
public static class StakeInheritance
{
    private static readonly U96F32 Max = U96F32.FromNum(ulong.MaxValue);

    /// <summary>
    /// own − Σ own·p_child + Σ parent_stake·p_parent with p = proportion/u64::MAX (U96F32 safe_div, truncating),
    /// saturating, truncated to u64. The same for the alpha side (stake on the subnet, proportions of the subnet) and
    /// the TAO side (stake on root, still the subnet's proportions).
    /// </summary>
    /// <remarks>Port of stake_utils.rs get_inherited_for_hotkey_on_subnet / get_tao_inherited_for_hotkey_on_subnet (spec 320 to HEAD).</remarks>
    public static ulong Inherited(ulong own, IReadOnlyList<ulong> childProportions, IReadOnlyList<(ulong Proportion, ulong ParentStake)> parents)
    {
        ArgumentNullException.ThrowIfNull(childProportions);
        ArgumentNullException.ThrowIfNull(parents);
        var initial = U96F32.FromNum(own);
        var toChildren = U96F32.Zero;
        foreach (var proportion in childProportions)
        {
            toChildren = toChildren.SaturatingAdd(initial.SaturatingMul(Normalized(proportion)));
        }

        var fromParents = U96F32.Zero;
        foreach (var (proportion, stake) in parents)
        {
            fromParents = fromParents.SaturatingAdd(U96F32.FromNum(stake).SaturatingMul(Normalized(proportion)));
        }

        return initial.SaturatingSub(toChildren).SaturatingAdd(fromParents).SaturatingToU64();
    }

    private static U96F32 Normalized(ulong proportion) => U96F32.FromNum(proportion).SafeDiv(Max);
}
