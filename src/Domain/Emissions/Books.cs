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
            _balances[Account.Of(asset, AccountKind.Unissued)] = Supply.Value;
        }

        if (posting.From.Kind == AccountKind.Unissued)
        {
            _minted[asset] += amount;
        }

        _balances[posting.From] = _balances.GetValueOrDefault(posting.From) - amount;
        _balances[posting.To] = _balances.GetValueOrDefault(posting.To) + amount;
    }

    /// <summary>Σ of every account of <paramref name="asset"/>; equals the supply unless the books are broken.</summary>
    public Int128 Total(Asset asset)
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
