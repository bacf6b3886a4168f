using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Stake;

namespace Bittensor.Ledger.Projections.Supply;

/// <summary>The books' postings an event makes (docs/adr/0005-emission-accounting.md): derived
/// <see cref="SubnetEmissionPosted"/> events carry theirs; facts map to one posting each. Stake facts move alpha
/// between the subnet's pool (the AMM contra account) and stake accounts; TAO recycles and burns leave
/// <c>tao:external</c>; genesis issuance and an imported <see cref="BlockEmissionMinted"/> (TAO minted outside the
/// coinbase) move <c>tao:unissued</c> → <c>tao:external</c>. The same mapping as LedgerState's books (ADR 0005, 0006).</summary>
public static class PostingTransformation
{
    private static readonly Account TaoUnissued = Account.Of(Asset.Tao, AccountKind.Unissued);
    private static readonly Account TaoExternal = Account.Of(Asset.Tao, AccountKind.External);

    public static IReadOnlyList<Posting> For(ILedgerEvent e) => e switch
    {
        SubnetEmissionPosted p => p.Postings,
        NetworkStarted s => [new(TaoUnissued, TaoExternal, s.Issuance, PostingReason.Genesis)],
        BlockEmissionMinted m => [new(TaoUnissued, TaoExternal, m.Amount, PostingReason.BlockEmission)],
        TaoRecycled r => [new(TaoExternal, Account.Of(Asset.Tao, AccountKind.Recycled), r.Amount, PostingReason.TaoRecycled)],
        TaoBurned b => [new(TaoExternal, Account.Of(Asset.Tao, AccountKind.Burned), b.Amount, PostingReason.TaoBurned)],
        StakeAdded a => [new(Pool(a.NetUid), Account.Stake(a.NetUid, a.Hotkey, a.Coldkey), a.Alpha, PostingReason.StakeAdded)],
        StakeRemoved r => [new(Account.Stake(r.NetUid, r.Hotkey, r.Coldkey), Pool(r.NetUid), r.Alpha, PostingReason.StakeRemoved)],
        StakeMoved m => [new(Account.Stake(m.NetUid, m.FromHotkey, m.Coldkey), Account.Stake(m.NetUid, m.ToHotkey, m.Coldkey), m.Alpha, PostingReason.StakeMoved)],
        AlphaBurned b => [new(Account.Stake(b.NetUid, b.Hotkey, b.Coldkey), Account.Of(Asset.Alpha(b.NetUid), AccountKind.Burned), b.Alpha, PostingReason.AlphaBurned)],
        AlphaRecycled r => [new(Account.Stake(r.NetUid, r.Hotkey, r.Coldkey), Account.Of(Asset.Alpha(r.NetUid), AccountKind.Recycled), r.Alpha, PostingReason.AlphaRecycled)],
        _ => [],
    };

    /// <summary>The event types that make postings.</summary>
    public static readonly IReadOnlySet<Type> EventTypes = new HashSet<Type>
    {
        typeof(SubnetEmissionPosted), typeof(NetworkStarted), typeof(BlockEmissionMinted), typeof(TaoRecycled), typeof(TaoBurned),
        typeof(StakeAdded), typeof(StakeRemoved), typeof(StakeMoved), typeof(AlphaBurned), typeof(AlphaRecycled),
    };

    /// <summary>Reasons by which a stake account receives emission (not a transfer the holder made).</summary>
    public static bool IsEmission(PostingReason reason) => reason is PostingReason.Incentive or PostingReason.ValidatorTake
        or PostingReason.NominatorDividend or PostingReason.OwnerCutStaked or PostingReason.RootDividend;

    private static Account Pool(Domain.Primitives.NetUid netUid) => Account.Of(Asset.Alpha(netUid), AccountKind.Pool);
}
