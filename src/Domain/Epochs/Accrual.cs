using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Epochs;

/// <summary>A subnet's coinbase accrual since its last recorded postings, summed per (account, reason).</summary>
internal sealed class Accrual(Block from)
{
    private readonly Dictionary<(Account To, PostingReason Reason), ulong> _sums = [];

    public Block From { get; } = from;

    public void Add(Account to, PostingReason reason, ulong amount) =>
        _sums[(to, reason)] = checked(_sums.GetValueOrDefault((to, reason)) + amount);

    /// <summary>In a fixed order (TAO first, then by reason), so live and recomputed postings compare equal.</summary>
    public IEnumerable<Posting> Postings(NetUid netUid) => _sums
        .Where(s => s.Value > 0)
        .OrderBy(s => s.Key.To.Asset.IsTao ? 0 : 1)
        .ThenBy(s => s.Key.Reason)
        .Select(s => new Posting(Account.Of(s.Key.To.Asset, AccountKind.Unissued), s.Key.To, new Rao(s.Value), s.Key.Reason));
}
