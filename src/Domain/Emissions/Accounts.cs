using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Emissions;

/// <summary>The kinds of named account every rao sits in (docs/adr/0005-emission-accounting.md).</summary>
public enum AccountKind
{
    /// <summary>Not yet minted; starts at the asset's supply.</summary>
    Unissued,

    /// <summary>Taken out of issuance; may be minted again (issuance falls).</summary>
    Recycled,

    /// <summary>Burned: issuance unchanged, never spendable.</summary>
    Burned,

    /// <summary>TAO held outside what the ledger models (free balances, genesis holders). Contra: may go negative.</summary>
    External,

    /// <summary>A subnet's AMM reserve of its alpha; stake is bought from and sold to it. Contra: may go negative.</summary>
    Pool,

    /// <summary>TAO emission injected into a subnet.</summary>
    SubnetTao,

    PendingServer,
    PendingValidator,
    PendingRoot,
    PendingOwner,

    /// <summary>Alpha staked by a coldkey on a hotkey.</summary>
    Stake,

    /// <summary>Root dividends owed to root stakers.</summary>
    RootClaimable,

    /// <summary>Remainders of floors, booked explicitly.</summary>
    Dust,
}

/// <summary>An asset: TAO (<see cref="Subnet"/> null) or one subnet's alpha.</summary>
public readonly record struct Asset(NetUid? Subnet)
{
    public static readonly Asset Tao = new((NetUid?)null);

    public static Asset Alpha(NetUid netUid) => new(netUid);

    public bool IsTao => Subnet is null;

    /// <summary>"tao" or "alpha:{netuid}".</summary>
    public override string ToString() => Subnet is { } n ? "alpha:" + n.Value.ToString(CultureInfo.InvariantCulture) : "tao";
}

/// <summary>A named account. <see cref="Hotkey"/>/<see cref="Coldkey"/> are set for <see cref="AccountKind.Stake"/>
/// only; <see cref="Subnet"/> only for <see cref="AccountKind.SubnetTao"/> (alpha accounts take their subnet from the
/// asset).</summary>
[JsonConverter(typeof(AccountJsonConverter))]
public readonly record struct Account(Asset Asset, AccountKind Kind, NetUid? Subnet = null, Hotkey? Hotkey = null, Coldkey? Coldkey = null)
{
    /// <summary>Contra accounts stand for the world outside the model and may go negative; all others may not.</summary>
    public bool IsContra => Kind is AccountKind.External or AccountKind.Pool;

    public static Account Of(Asset asset, AccountKind kind) => new(asset, kind);

    public static Account Stake(NetUid netUid, Hotkey hotkey, Coldkey coldkey) =>
        new(Asset.Alpha(netUid), AccountKind.Stake, null, hotkey, coldkey);

    public static Account SubnetTao(NetUid netUid) => new(Asset.Tao, AccountKind.SubnetTao, netUid);

    /// <summary>A stable text name, e.g. "tao:unissued", "alpha:3:stake:{hotkey}:{coldkey}", "tao:subnet_tao:3".</summary>
    public override string ToString()
    {
        var kind = KindName(Kind);
        return Kind switch
        {
            AccountKind.Stake => $"{Asset}:{kind}:{Hotkey}:{Coldkey}",
            AccountKind.SubnetTao => $"{Asset}:{kind}:{Subnet}",
            _ => $"{Asset}:{kind}",
        };
    }

    // Sized for a mainnet day's stake accounts (128 subnets × 256 uids, several stakers each).
    private static readonly ParsedOnce<Account> Parsed = new(1 << 18);

    /// <summary>Parses the text name written by <see cref="ToString"/>.</summary>
    public static bool TryParse(string? text, out Account account)
    {
        if (Parsed.TryGet(text, out account))
        {
            return true;
        }

        if (!TryParseText(text, out account))
        {
            return false;
        }

        Parsed.Add(text!, account);
        return true;
    }

    private static bool TryParseText(string? text, out Account account)
    {
        account = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var parts = text.Split(':');
        Asset asset;
        int next;
        if (parts[0] == "tao")
        {
            asset = Asset.Tao;
            next = 1;
        }
        else if (parts[0] == "alpha" && parts.Length > 1 && ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            asset = Asset.Alpha(new NetUid(n));
            next = 2;
        }
        else
        {
            return false;
        }

        if (parts.Length <= next || !TryParseKind(parts[next], out var kind))
        {
            return false;
        }

        var rest = parts.Length - next - 1;
        switch (kind)
        {
            case AccountKind.Stake when !asset.IsTao && rest == 2
                && Primitives.Hotkey.TryParse(parts[next + 1], out var hotkey, out _)
                && Primitives.Coldkey.TryParse(parts[next + 2], out var coldkey, out _):
                account = Stake(asset.Subnet!.Value, hotkey, coldkey);
                return true;
            case AccountKind.SubnetTao when asset.IsTao && rest == 1
                && ushort.TryParse(parts[next + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var netuid):
                account = SubnetTao(new NetUid(netuid));
                return true;
            case AccountKind.Stake or AccountKind.SubnetTao:
                return false;
            default:
                if (rest != 0)
                {
                    return false;
                }

                account = Of(asset, kind);
                return true;
        }
    }

    private static bool TryParseKind(string name, out AccountKind kind)
    {
        foreach (var candidate in Enum.GetValues<AccountKind>())
        {
            if (KindName(candidate) == name)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    public static string KindName(AccountKind kind) => kind switch
    {
        AccountKind.Unissued => "unissued",
        AccountKind.Recycled => "recycled",
        AccountKind.Burned => "burned",
        AccountKind.External => "external",
        AccountKind.Pool => "pool",
        AccountKind.SubnetTao => "subnet_tao",
        AccountKind.PendingServer => "pending_server",
        AccountKind.PendingValidator => "pending_validator",
        AccountKind.PendingRoot => "pending_root",
        AccountKind.PendingOwner => "pending_owner",
        AccountKind.Stake => "stake",
        AccountKind.RootClaimable => "root_claimable",
        AccountKind.Dust => "dust",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>Accounts serialize as their text name, so postings read the same in the store, exports and CLI output.</summary>
public sealed class AccountJsonConverter : JsonConverter<Account>
{
    public override Account Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && Account.TryParse(reader.GetString(), out var account)
            ? account
            : throw new JsonException("expected an account name such as \"tao:unissued\" or \"alpha:3:stake:{hotkey}:{coldkey}\"");

    public override void Write(Utf8JsonWriter writer, Account value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
