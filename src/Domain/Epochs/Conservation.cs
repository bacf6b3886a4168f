using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Epochs;

/// <summary>One identity of the books, how often it was checked and the first block where it failed.</summary>
public sealed record IdentityResult(string Identity, long Checks, Block? FirstBroken, string? Detail)
{
    public bool Holds => FirstBroken is null;
}

/// <summary>
/// The identities the books must satisfy (docs/adr/0005-emission-accounting.md), checked on a live
/// <see cref="LedgerEngine"/>: after every block, Σ accounts = supply per asset, issuance = minted − recycled and no
/// non-contra account below zero; after every epoch, its pots are empty and per-uid emission + dust = the drained pot.
/// </summary>
public sealed class Conservation
{
    public const string Supply = "Σ accounts = supply, per asset";
    public const string Issuance = "issuance = minted − recycled";
    public const string NonNegative = "non-contra accounts ≥ 0";
    public const string PotsDrained = "pots are zero after their epoch";
    public const string EpochPaid = "per-uid emission + dust = drained pot";

    private readonly Dictionary<string, (long Checks, Block? First, string? Detail)> _results = new()
    {
        [Supply] = (0, null, null),
        [Issuance] = (0, null, null),
        [NonNegative] = (0, null, null),
        [PotsDrained] = (0, null, null),
        [EpochPaid] = (0, null, null),
    };

    public IReadOnlyList<IdentityResult> Results => [.. _results.Select(r => new IdentityResult(r.Key, r.Value.Checks, r.Value.First, r.Value.Detail))];

    public bool Holds => _results.Values.All(r => r.First is null);

    /// <summary>The first failure of any identity, by block.</summary>
    public IdentityResult? FirstBroken => Results.Where(r => !r.Holds).OrderBy(r => r.FirstBroken!.Value).FirstOrDefault();

    public void CheckBooks(LedgerEngine engine, Block block)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var books = engine.State.Books;
        foreach (var asset in books.Assets)
        {
            var total = books.Total(asset);
            Record(Supply, block, total == Books.Supply.Value, () => $"{asset}: Σ accounts = {total}, supply {Books.Supply}");
            var issuance = books.Issuance(asset);
            var minted = books.Minted(asset);
            var recycled = books.Balance(Account.Of(asset, AccountKind.Recycled));
            Record(Issuance, block, issuance == minted - recycled, () => $"{asset}: issuance {issuance} ≠ minted {minted} − recycled {recycled}");
        }

        // The scan names the first negative account; the books count them, so a ledger that holds never scans (issue 12).
        if (books.AnyNegative)
        {
            foreach (var (account, balance) in books.Balances)
            {
                if (!account.IsContra && balance < 0)
                {
                    Record(NonNegative, block, false, () => $"{account} = {balance}");
                    return;
                }
            }
        }

        Record(NonNegative, block, true, () => "");
    }

    /// <summary>Call after the epoch's two events were applied to <paramref name="engine"/>.</summary>
    public void CheckEpoch(LedgerEngine engine, EpochCompleted completed, SubnetEmissionPosted posted)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(posted);
        var books = engine.State.Books;
        var alpha = Asset.Alpha(completed.NetUid);
        foreach (var pot in new[] { AccountKind.PendingServer, AccountKind.PendingValidator, AccountKind.PendingRoot, AccountKind.PendingOwner })
        {
            var left = books.Balance(Account.Of(alpha, pot));
            Record(PotsDrained, completed.Block, left == 0, () => $"subnet {completed.NetUid} epoch {completed.Epoch}: {Account.KindName(pot)} holds {left}");
        }

        // Everything that left the server, validator and root pots went to a uid or to dust, and adds up to the drain.
        UInt128 perUid = 0, dust = 0, fromPots = 0;
        foreach (var p in posted.Postings)
        {
            if (p.From.Kind is not (AccountKind.PendingServer or AccountKind.PendingValidator or AccountKind.PendingRoot) || p.To.Kind == AccountKind.PendingValidator)
            {
                continue;
            }

            fromPots += p.Amount.Value;
            if (p.Uid is not null)
            {
                perUid += p.Amount.Value;
            }
            else if (p.To.Kind == AccountKind.Dust)
            {
                dust += p.Amount.Value;
            }
        }

        Record(EpochPaid, completed.Block, perUid + dust == completed.Emission.Value && fromPots == completed.Emission.Value,
            () => $"subnet {completed.NetUid} epoch {completed.Epoch}: per-uid {perUid} + dust {dust} ≠ drained {completed.Emission}");
    }

    private void Record(string identity, Block block, bool holds, Func<string> detail)
    {
        var (checks, first, text) = _results[identity];
        if (!holds && first is null)
        {
            first = block;
            text = detail();
        }

        _results[identity] = (checks + 1, first, text);
    }
}
