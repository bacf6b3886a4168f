using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Emissions;

/// <summary>
/// The double-entry books (docs/adr/0005-emission-accounting.md): a balance per named account, per asset. Every asset
/// starts with its whole 21M supply in <see cref="AccountKind.Unissued"/>, and a posting only moves an amount from one
/// account to another, so the sum over an asset's accounts is its supply after every posting.
/// </summary>
public sealed class Books
{
    private readonly Dictionary<Account, Int128> _balances = [];
    private readonly Dictionary<Asset, Int128> _minted = [];

    // Σ of each asset's balances and the number of non-contra accounts below zero, kept up to date by Set (the one
    // place a balance changes) from each balance's old and new value: the identities `ledger verify` checks after every
    // block then cost one lookup per asset instead of a scan of every account per asset (issue 12), and they still
    // catch a Post that writes a wrong balance, because the sums follow what was written, not what was meant.
    private readonly Dictionary<Asset, Int128> _totals = [];
    private int _negative;

    /// <summary>The supply of every asset (TAO and each subnet's alpha), in rao.</summary>
    public static Rao Supply => Rao.TotalSupply;

    public Int128 Balance(Account account) =>
        account.Kind == AccountKind.Unissued && !_minted.ContainsKey(account.Asset)
            ? (Int128)Supply.Value
            : _balances.GetValueOrDefault(account);

    /// <summary>Every account with a non-zero balance (unissued included once its asset has moved).</summary>
    public IEnumerable<KeyValuePair<Account, Int128>> Balances => _balances.Where(b => b.Value != 0);

    /// <summary>Assets that have moved at least once.</summary>
    public IEnumerable<Asset> Assets => _minted.Keys;

    /// <summary>Everything that ever left <see cref="AccountKind.Unissued"/>.</summary>
    public Int128 Minted(Asset asset) => _minted.GetValueOrDefault(asset);

    /// <summary>Issuance: supply − unissued − recycled (burned rao stay issued; recycled ones may be minted again).</summary>
    public Int128 Issuance(Asset asset) =>
        Supply.Value - Balance(Account.Of(asset, AccountKind.Unissued)) - Balance(Account.Of(asset, AccountKind.Recycled));

    /// <summary>Whether <paramref name="posting"/> keeps every non-contra account non-negative, and moves within one asset.</summary>
    public FieldError? Check(Posting posting)
    {
        ArgumentNullException.ThrowIfNull(posting);
        if (posting.From.Asset != posting.To.Asset)
        {
            return new FieldError("postings", $"{posting.From} and {posting.To} hold different assets");
        }

        if (posting.From == posting.To)
        {
            return new FieldError("postings", $"moves {posting.Amount} from {posting.From} to itself");
        }

        if (!posting.From.IsContra && Balance(posting.From) < posting.Amount.Value)
        {
            return new FieldError("postings", $"{posting.From} holds {Balance(posting.From)} rao, less than the {posting.Amount} it would pay ({posting.Reason})");
        }

        return null;
    }

    /// <summary>Moves the amount; call <see cref="Check"/> first where a violation must be reported rather than thrown.</summary>
    public void Post(Posting posting)
    {
        if (Check(posting) is { } violation)
        {
            throw new InvalidOperationException(violation.ToString());
        }

        var amount = (Int128)posting.Amount.Value;
        if (amount == 0)
        {
            return;
        }

        var asset = posting.From.Asset;
        if (!_minted.ContainsKey(asset))
        {
            _minted[asset] = 0;
            Set(Account.Of(asset, AccountKind.Unissued), Supply.Value);
        }

        if (posting.From.Kind == AccountKind.Unissued)
        {
            _minted[asset] += amount;
        }

        Set(posting.From, _balances.GetValueOrDefault(posting.From) - amount);
        Set(posting.To, _balances.GetValueOrDefault(posting.To) + amount);
    }

    /// <summary>Whether a non-contra account holds less than zero (the books are broken if so).</summary>
    public bool AnyNegative => _negative > 0;

    private void Set(Account account, Int128 balance)
    {
        var old = _balances.GetValueOrDefault(account);
        _balances[account] = balance;
        _totals[account.Asset] = _totals.GetValueOrDefault(account.Asset) - old + balance;
        if (!account.IsContra)
        {
            _negative += (balance < 0 ? 1 : 0) - (old < 0 ? 1 : 0);
        }
    }

    /// <summary>Σ of every account of <paramref name="asset"/>; equals the supply unless the books are broken.</summary>
    public Int128 Total(Asset asset) => _minted.ContainsKey(asset) ? _totals.GetValueOrDefault(asset) : Supply.Value;

    /// <summary>The same Σ as <see cref="Total"/>, recounted over every account rather than kept up to date: what
    /// <see cref="Total"/> must always equal.</summary>
    public Int128 Recount(Asset asset)
    {
        if (!_minted.ContainsKey(asset))
        {
            return Supply.Value;
        }

        Int128 sum = 0;
        foreach (var (account, balance) in _balances)
        {
            if (account.Asset == asset)
            {
                sum += balance;
            }
        }

        return sum;
    }
}
