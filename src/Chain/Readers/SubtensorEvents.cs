using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Events;

namespace Bittensor.Ledger.Chain.Readers;

/// <summary>
/// A <c>NetUidStorageIndex</c> (spec 320 on): <c>mechanism × 4096 + netuid</c>. Before 320 the same field held the plain
/// netuid, which is the same number with mechanism 0.
/// </summary>
public readonly record struct SubnetMechanism(ushort Netuid, byte Mechanism)
{
    public const int MechanismStride = 4096;

    public static SubnetMechanism FromStorageIndex(long index) =>
        index is >= 0 and <= ushort.MaxValue
            ? new((ushort)(index % MechanismStride), (byte)(index / MechanismStride))
            : throw new ChainLayoutException($"storage index {index} is not a u16 NetUidStorageIndex");

    public ushort StorageIndex => (ushort)((Mechanism * MechanismStride) + Netuid);

    public override string ToString() => Mechanism == 0 ? $"{Netuid}" : $"{Netuid}/mech {Mechanism}";
}

/// <summary>A SubtensorModule event the ledger uses, read from its generic decoding with the layout of its runtime.</summary>
/// <param name="Source">The generic record this was read from (block position, raw bytes).</param>
public abstract record SubtensorEvent(ChainEvent Source);

public sealed record StakeAdded(ChainEvent Source, string Coldkey, string Hotkey, ulong Tao, ulong Alpha, ushort Netuid, ulong Fee) : SubtensorEvent(Source);

public sealed record StakeRemoved(ChainEvent Source, string Coldkey, string Hotkey, ulong Tao, ulong Alpha, ushort Netuid, ulong Fee) : SubtensorEvent(Source);

public sealed record StakeMoved(ChainEvent Source, string Coldkey, string OriginHotkey, ushort OriginNetuid, string DestinationHotkey, ushort DestinationNetuid, ulong Tao) : SubtensorEvent(Source);

public sealed record StakeTransferred(ChainEvent Source, string OriginColdkey, string DestinationColdkey, string Hotkey, ushort OriginNetuid, ushort DestinationNetuid, ulong Tao) : SubtensorEvent(Source);

public sealed record StakeSwapped(ChainEvent Source, string Coldkey, string Hotkey, ushort OriginNetuid, ushort DestinationNetuid, ulong Tao) : SubtensorEvent(Source);

public sealed record NeuronRegistered(ChainEvent Source, ushort Netuid, ushort Uid, string Hotkey) : SubtensorEvent(Source);

public sealed record WeightsSet(ChainEvent Source, SubnetMechanism Subnet, ushort Uid) : SubtensorEvent(Source);

public sealed record WeightsCommitted(ChainEvent Source, string Hotkey, SubnetMechanism Subnet, string CommitHash, ulong? RevealRound) : SubtensorEvent(Source);

public sealed record WeightsRevealed(ChainEvent Source, string Hotkey, SubnetMechanism Subnet) : SubtensorEvent(Source);

public sealed record AlphaRecycled(ChainEvent Source, string Coldkey, string Hotkey, ulong Alpha, ushort Netuid) : SubtensorEvent(Source);

public sealed record AlphaBurned(ChainEvent Source, string Coldkey, string Hotkey, ulong Alpha, ushort Netuid) : SubtensorEvent(Source);

/// <summary>The server (miner) emission of one mechanism's epoch, per uid: the signal that an epoch ran (spec 315 on).</summary>
public sealed record IncentiveAlphaEmittedToMiners(ChainEvent Source, SubnetMechanism Subnet, IReadOnlyList<ulong> Emissions) : SubtensorEvent(Source);

public sealed record HotkeySwapped(ChainEvent Source, string Coldkey, string OldHotkey, string NewHotkey, ushort? Netuid) : SubtensorEvent(Source);

public sealed record ChildrenSet(ChainEvent Source, string Hotkey, ushort Netuid, IReadOnlyList<(ulong Proportion, string Child)> Children, ulong? CooldownBlock) : SubtensorEvent(Source);

public sealed record NetworkAdded(ChainEvent Source, ushort Netuid, ushort Mechanism) : SubtensorEvent(Source);

public sealed record NetworkRemoved(ChainEvent Source, ushort Netuid) : SubtensorEvent(Source);

/// <summary>A hyperparameter event of the form <c>XSet(netuid, value)</c>; the value is kept as decoded.</summary>
public sealed record HyperparameterSet(ChainEvent Source, ushort Netuid, string Name, JsonNode? Value) : SubtensorEvent(Source);

/// <summary>A decoded event whose layout is not the one the typed reader knows (a runtime it does not support).</summary>
public sealed class ChainLayoutException(string message) : Exception(message);

/// <summary>
/// Reads the SubtensorModule events the ledger uses (chain-adapter.md §1.5) out of generic event records. Field layouts
/// are those of spec 315 and later; an event with another layout is refused with the spec and the fields found.
/// </summary>
public static class SubtensorEvents
{
    public const string Pallet = "SubtensorModule";

    /// <summary>The oldest runtime whose layouts these readers were checked against (the fixtures' spec 315).</summary>
    public const int OldestSupportedSpec = 315;

    private static readonly HashSet<string> Hyperparameters =
    [
        "TempoSet", "KappaSet", "RhoSet", "ActivityCutoffSet", "BondsMovingAverageSet", "BondsPenaltySet", "BondsResetOnSet",
        "MaxAllowedValidatorsSet", "MaxAllowedUidsSet", "MinAllowedUidsSet", "AlphaSigmoidSteepnessSet", "ImmunityPeriodSet",
        "MinAllowedWeightSet", "MaxWeightLimitSet", "WeightsSetRateLimitSet", "WeightsVersionKeySet", "CommitRevealEnabled",
        "CommitRevealPeriodsSet", "CommitRevealVersionSet", "BurnSet", "MinBurnSet", "MaxBurnSet", "DifficultySet",
        "ActivityCutoffFactorMilliSet", "Yuma3EnableToggled", "LiquidAlphaEnabledSet", "AlphaValuesSet",
    ];

    /// <summary>How many fields each typed event has at spec 315 and later; the one table of layouts.</summary>
    private static readonly Dictionary<string, int> Arity = new()
    {
        ["StakeAdded"] = 6, ["StakeRemoved"] = 6, ["StakeMoved"] = 6, ["StakeTransferred"] = 6, ["StakeSwapped"] = 5,
        ["NeuronRegistered"] = 3, ["WeightsSet"] = 2, ["WeightsCommitted"] = 3, ["CRV3WeightsCommitted"] = 3,
        ["TimelockedWeightsCommitted"] = 4, ["WeightsRevealed"] = 3, ["TimelockedWeightsRevealed"] = 2,
        ["CRV3WeightsRevealed"] = 2, ["AlphaRecycled"] = 4, ["AlphaBurned"] = 4, ["IncentiveAlphaEmittedToMiners"] = 2,
        ["HotkeySwapped"] = 3, ["HotkeySwappedOnSubnet"] = 4, ["SetChildren"] = 3, ["SetChildrenScheduled"] = 4,
        ["NetworkAdded"] = 2, ["NetworkRemoved"] = 1,
    };

    /// <summary>The typed event, or null when <paramref name="record"/> is not one the ledger uses.</summary>
    public static SubtensorEvent? Read(ChainEvent record, int specVersion)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Pallet != Pallet)
        {
            return null;
        }

        var f = new Fields(record, specVersion);
        if (Arity.TryGetValue(record.Name, out var arity))
        {
            f.Expect(arity, exactly: true);
        }
        else if (Hyperparameters.Contains(record.Name))
        {
            f.Expect(2, exactly: false);
        }
        else
        {
            return null;
        }

        return record.Name switch
        {
            "StakeAdded" => new StakeAdded(record, f.Account(0, "coldkey"), f.Account(1, "hotkey"), f.U64(2, "tao"), f.U64(3, "alpha"), f.U16(4, "netuid"), f.U64(5, "fee")),
            "StakeRemoved" => new StakeRemoved(record, f.Account(0, "coldkey"), f.Account(1, "hotkey"), f.U64(2, "tao"), f.U64(3, "alpha"), f.U16(4, "netuid"), f.U64(5, "fee")),
            "StakeMoved" => new StakeMoved(record, f.Account(0, "coldkey"), f.Account(1, "origin_hotkey"), f.U16(2, "origin_netuid"), f.Account(3, "destination_hotkey"), f.U16(4, "destination_netuid"), f.U64(5, "tao")),
            "StakeTransferred" => new StakeTransferred(record, f.Account(0, "origin_coldkey"), f.Account(1, "destination_coldkey"), f.Account(2, "hotkey"), f.U16(3, "origin_netuid"), f.U16(4, "destination_netuid"), f.U64(5, "tao")),
            "StakeSwapped" => new StakeSwapped(record, f.Account(0, "coldkey"), f.Account(1, "hotkey"), f.U16(2, "origin_netuid"), f.U16(3, "destination_netuid"), f.U64(4, "tao")),
            "NeuronRegistered" => new NeuronRegistered(record, f.U16(0, "netuid"), f.U16(1, "uid"), f.Account(2, "hotkey")),
            "WeightsSet" => new WeightsSet(record, f.Subnet(0, "netuid"), f.U16(1, "uid")),
            "WeightsCommitted" or "CRV3WeightsCommitted" => new WeightsCommitted(record, f.Account(0, "who"), f.Subnet(1, "netuid"), f.Text(2, "commit_hash"), null),
            "TimelockedWeightsCommitted" => new WeightsCommitted(record, f.Account(0, "who"), f.Subnet(1, "netuid"), f.Text(2, "commit_hash"), f.U64(3, "reveal_round")),
            "WeightsRevealed" => new WeightsRevealed(record, f.Account(0, "who"), f.Subnet(1, "netuid")),
            "TimelockedWeightsRevealed" or "CRV3WeightsRevealed" => new WeightsRevealed(record, f.Account(1, "who"), f.Subnet(0, "netuid")),
            "AlphaRecycled" => new AlphaRecycled(record, f.Account(0, "coldkey"), f.Account(1, "hotkey"), f.U64(2, "amount"), f.U16(3, "netuid")),
            "AlphaBurned" => new AlphaBurned(record, f.Account(0, "coldkey"), f.Account(1, "hotkey"), f.U64(2, "amount"), f.U16(3, "netuid")),
            "IncentiveAlphaEmittedToMiners" => new IncentiveAlphaEmittedToMiners(record, f.Subnet(0, "netuid"), f.U64s(1, "emissions")),
            "HotkeySwapped" => new HotkeySwapped(record, f.Account(0, "coldkey"), f.Account(1, "old_hotkey"), f.Account(2, "new_hotkey"), null),
            "HotkeySwappedOnSubnet" => new HotkeySwapped(record, f.Account(0, "coldkey"), f.Account(1, "old_hotkey"), f.Account(2, "new_hotkey"), f.U16(3, "netuid")),
            "SetChildren" => new ChildrenSet(record, f.Account(0, "hotkey"), f.U16(1, "netuid"), f.Children(2, "children"), null),
            "SetChildrenScheduled" => new ChildrenSet(record, f.Account(0, "hotkey"), f.U16(1, "netuid"), f.Children(3, "children"), f.U64(2, "cooldown_block")),
            "NetworkAdded" => new NetworkAdded(record, f.U16(0, "netuid"), f.U16(1, "mechanism")),
            "NetworkRemoved" => new NetworkRemoved(record, f.U16(0, "netuid")),
            var name => new HyperparameterSet(record, f.U16(0, "netuid"), name, f.Rest(1)),
        };
    }

    /// <summary>Positional or named access to a record's fields, with errors that name the event, the field and the spec.</summary>
    private sealed class Fields(ChainEvent record, int spec)
    {
        private int Count => record.Fields switch
        {
            JsonArray a => a.Count,
            JsonObject o => o.Count,
            _ => 0,
        };

        public void Expect(int count, bool exactly)
        {
            if (exactly ? Count == count : Count >= count)
            {
                return;
            }

            throw new ChainLayoutException(
                    $"{Pallet}.{record.Name} at spec {spec} has {Count} fields where the reader expects {(exactly ? "" : "at least ")}{count}"
                    + (spec < OldestSupportedSpec ? $"; the typed readers support spec {OldestSupportedSpec} and later" : "; the runtime changed the event's layout"));
        }

        /// <summary>The value of a hyperparameter event: its one value field, or an array of them when there are several.</summary>
        public JsonNode? Rest(int from) =>
            Count == from + 1
                ? Raw(from, "value")?.DeepClone()
                : new JsonArray([.. Enumerable.Range(from, Count - from).Select(i => Raw(i, "value")?.DeepClone())]);

        public JsonNode? Raw(int position, string name) => record.Fields switch
        {
            JsonArray a => a[position],
            JsonObject o => o.Count > position ? o.ElementAt(position).Value : null,
            _ => null,
        };

        public string Account(int position, string name) =>
            Raw(position, name) is JsonValue v && v.TryGetValue<string>(out var s) && !s.StartsWith("0x", StringComparison.Ordinal)
                ? s
                : throw Wrong(name, "an account");

        public string Text(int position, string name) =>
            Raw(position, name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Wrong(name, "hex bytes");

        public ulong U64(int position, string name) => ToU64(Raw(position, name)) ?? throw Wrong(name, "a u64");

        public ushort U16(int position, string name) =>
            ToU64(Raw(position, name)) is { } v && v <= ushort.MaxValue ? (ushort)v : throw Wrong(name, "a u16");

        public SubnetMechanism Subnet(int position, string name) => SubnetMechanism.FromStorageIndex(U16(position, name));

        public IReadOnlyList<ulong> U64s(int position, string name) =>
            Raw(position, name) is JsonArray a
                ? [.. a.Select(x => ToU64(x) ?? throw Wrong(name, "a list of u64"))]
                : throw Wrong(name, "a list of u64");

        public IReadOnlyList<(ulong, string)> Children(int position, string name) =>
            Raw(position, name) is JsonArray a
                ? [.. a.Select(x => x is JsonArray { Count: 2 } pair && ToU64(pair[0]) is { } p && pair[1] is JsonValue c && c.TryGetValue<string>(out var child)
                    ? (p, child)
                    : throw Wrong(name, "a list of (proportion, child)"))]
                : throw Wrong(name, "a list of (proportion, child)");

        private ChainLayoutException Wrong(string name, string expected) =>
            new($"{Pallet}.{record.Name} at spec {spec}: field {name} is not {expected}");

        private static ulong? ToU64(JsonNode? node) => node switch
        {
            JsonValue v when v.TryGetValue<long>(out var l) && l >= 0 => (ulong)l,
            JsonValue v when v.TryGetValue<string>(out var s) && ulong.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var u) => u,
            _ => null,
        };
    }
}
