using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;

namespace Bittensor.Ledger.Domain.Emissions;

/// <summary>
/// The one fact → posting rule (docs/adr/0005-emission-accounting.md), used by the fold (<see cref="LedgerState"/>) and
/// by the stake and supply read models, so the books and what they show cannot drift apart. A derived
/// <see cref="SubnetEmissionPosted"/> carries its postings; each money fact makes one: stake facts move alpha between
/// the subnet's pool (the AMM contra account) and stake accounts, TAO recycles and burns leave <c>tao:external</c>, and
/// genesis issuance and an imported <see cref="BlockEmissionMinted"/> (TAO minted outside the coinbase) move
/// <c>tao:unissued</c> → <c>tao:external</c>.
/// </summary>
public static class Postings
{
    private static readonly Account TaoUnissued = Account.Of(Asset.Tao, AccountKind.Unissued);
    private static readonly Account TaoExternal = Account.Of(Asset.Tao, AccountKind.External);

    /// <summary>The event types that make postings.</summary>
    public static readonly IReadOnlySet<Type> EventTypes = new HashSet<Type>
    {
        typeof(SubnetEmissionPosted), typeof(NetworkStarted), typeof(BlockEmissionMinted), typeof(TaoRecycled), typeof(TaoBurned),
        typeof(StakeAdded), typeof(StakeRemoved), typeof(StakeMoved), typeof(AlphaBurned), typeof(AlphaRecycled),
    };

    /// <summary>Every posting <paramref name="e"/> makes: a recorded epoch's, or the fact's one.</summary>
    public static IReadOnlyList<Posting> For(ILedgerEvent e) => e is SubnetEmissionPosted p ? p.Postings
        : OfFact(e) is { } posting ? [posting] : [];

    /// <summary>The one posting a money fact makes; null for a fact that moves no money (and for a recorded epoch,
    /// whose postings it carries). The fold calls this directly, so applying a fact allocates no list.</summary>
    public static Posting? OfFact(ILedgerEvent e) => e switch
    {
        NetworkStarted s => new(TaoUnissued, TaoExternal, s.Issuance, PostingReason.Genesis),
        BlockEmissionMinted m => new(TaoUnissued, TaoExternal, m.Amount, PostingReason.BlockEmission),
        TaoRecycled r => new(TaoExternal, Account.Of(Asset.Tao, AccountKind.Recycled), r.Amount, PostingReason.TaoRecycled),
        TaoBurned b => new(TaoExternal, Account.Of(Asset.Tao, AccountKind.Burned), b.Amount, PostingReason.TaoBurned),
        StakeAdded a => new(Pool(a.NetUid), Account.Stake(a.NetUid, a.Hotkey, a.Coldkey), a.Alpha, PostingReason.StakeAdded),
        StakeRemoved r => new(Account.Stake(r.NetUid, r.Hotkey, r.Coldkey), Pool(r.NetUid), r.Alpha, PostingReason.StakeRemoved),
        StakeMoved m => new(Account.Stake(m.NetUid, m.FromHotkey, m.Coldkey), Account.Stake(m.NetUid, m.ToHotkey, m.Coldkey), m.Alpha, PostingReason.StakeMoved),
        AlphaBurned b => new(Account.Stake(b.NetUid, b.Hotkey, b.Coldkey), Account.Of(Asset.Alpha(b.NetUid), AccountKind.Burned), b.Alpha, PostingReason.AlphaBurned),
        AlphaRecycled r => new(Account.Stake(r.NetUid, r.Hotkey, r.Coldkey), Account.Of(Asset.Alpha(r.NetUid), AccountKind.Recycled), r.Alpha, PostingReason.AlphaRecycled),
        _ => null,
    };

    private static Account Pool(NetUid netUid) => Account.Of(Asset.Alpha(netUid), AccountKind.Pool);
}
