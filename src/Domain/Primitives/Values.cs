using System.Text.Json.Serialization;

namespace Bittensor.Ledger.Domain.Primitives;

/// <summary>An amount in rao (1 TAO = 1e9 rao; a subnet's alpha uses the same base unit). Arithmetic is checked:
/// an overflow or a negative result throws <see cref="OverflowException"/>, never wraps.</summary>
[JsonConverter(typeof(RaoJsonConverter))]
public readonly record struct Rao(ulong Value) : IComparable<Rao>
{
    public static readonly Rao Zero = new(0);
    public const ulong RaoPerTao = 1_000_000_000UL;

    /// <summary>The 21M TAO supply cap, in rao.</summary>
    public static readonly Rao TotalSupply = new(21_000_000UL * RaoPerTao);

    public static Rao operator +(Rao a, Rao b) => new(checked(a.Value + b.Value));
    public static Rao operator -(Rao a, Rao b) => new(checked(a.Value - b.Value));
    public static bool operator <(Rao a, Rao b) => a.Value < b.Value;
    public static bool operator >(Rao a, Rao b) => a.Value > b.Value;
    public static bool operator <=(Rao a, Rao b) => a.Value <= b.Value;
    public static bool operator >=(Rao a, Rao b) => a.Value >= b.Value;

    public static Rao FromTao(ulong tao) => new(checked(tao * RaoPerTao));

    public int CompareTo(Rao other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A subnet id.</summary>
[JsonConverter(typeof(NetUidJsonConverter))]
public readonly record struct NetUid(ushort Value) : IComparable<NetUid>
{
    public int CompareTo(NetUid other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A neuron's slot on a subnet, 0..n-1.</summary>
[JsonConverter(typeof(UidJsonConverter))]
public readonly record struct Uid(ushort Value) : IComparable<Uid>
{
    public int CompareTo(Uid other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A block height: the ledger's only clock.</summary>
[JsonConverter(typeof(BlockJsonConverter))]
public readonly record struct Block(ulong Value) : IComparable<Block>
{
    public static bool operator <(Block a, Block b) => a.Value < b.Value;
    public static bool operator >(Block a, Block b) => a.Value > b.Value;
    public static bool operator <=(Block a, Block b) => a.Value <= b.Value;
    public static bool operator >=(Block a, Block b) => a.Value >= b.Value;

    public int CompareTo(Block other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A hotkey account, as an SS58 address whose checksum has been verified.</summary>
[JsonConverter(typeof(HotkeyJsonConverter))]
public readonly record struct Hotkey
{
    private Hotkey(string address) => Address = address;

    public string Address { get; }

    public static Hotkey Parse(string address) =>
        TryParse(address, out var key, out var reason) ? key : throw new FormatException($"invalid hotkey '{address}': {reason}");

    private static readonly ParsedOnce<Hotkey> Parsed = new(1 << 17);

    public static bool TryParse(string? address, out Hotkey key, out string reason)
    {
        reason = "";
        if (Parsed.TryGet(address, out key))
        {
            return true;
        }

        if (!Ss58.TryDecode(address, out _, out _, out reason))
        {
            return false;
        }

        key = new Hotkey(address!);
        Parsed.Add(address!, key);
        return true;
    }

    public static Hotkey FromPublicKey(ReadOnlySpan<byte> publicKey) => new(Ss58.Encode(publicKey));

    public override string ToString() => Address;
}

/// <summary>A coldkey account, as an SS58 address whose checksum has been verified.</summary>
[JsonConverter(typeof(ColdkeyJsonConverter))]
public readonly record struct Coldkey
{
    private Coldkey(string address) => Address = address;

    public string Address { get; }

    public static Coldkey Parse(string address) =>
        TryParse(address, out var key, out var reason) ? key : throw new FormatException($"invalid coldkey '{address}': {reason}");

    private static readonly ParsedOnce<Coldkey> Parsed = new(1 << 17);

    public static bool TryParse(string? address, out Coldkey key, out string reason)
    {
        reason = "";
        if (Parsed.TryGet(address, out key))
        {
            return true;
        }

        if (!Ss58.TryDecode(address, out _, out _, out reason))
        {
            return false;
        }

        key = new Coldkey(address!);
        Parsed.Add(address!, key);
        return true;
    }

    public static Coldkey FromPublicKey(ReadOnlySpan<byte> publicKey) => new(Ss58.Encode(publicKey));

    public override string ToString() => Address;
}
