using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;

namespace Bittensor.Ledger.Chain.Readers;

/// <summary>How an epoch item is keyed (chain-adapter.md §1.3).</summary>
public enum EpochKey
{
    /// <summary>A plain value (StakeThreshold, TaoWeight).</summary>
    Value,

    /// <summary>One value per subnet: the key is the netuid.</summary>
    Netuid,

    /// <summary>One value per mechanism: the key is the NetUidStorageIndex (the netuid before spec 320).</summary>
    Mechanism,

    /// <summary>A map under the netuid (Keys, BlockAtRegistration): every entry is read.</summary>
    NetuidMap,

    /// <summary>A map under the NetUidStorageIndex (Weights, Bonds, the commit maps): every entry is read.</summary>
    MechanismMap,

    /// <summary>Per hotkey of the subnet (and of its parents), under the netuid: TotalHotkeyAlpha, ChildKeys, ParentKeys.</summary>
    Hotkey,

    /// <summary>Per hotkey, under the root netuid 0: the TAO side of the stake weight.</summary>
    HotkeyRoot,
}

/// <summary>One storage item the epoch reads or writes.</summary>
public sealed record EpochItem(string Name, EpochKey Key, bool Output = false);

/// <summary>
/// The storage items of one subnet's epoch, as chain-adapter.md §1.3 lists them: inputs (the state the epoch reads) and
/// outputs (what it writes). Items a runtime does not have are skipped and reported in <see cref="SubnetEpochState.Missing"/>.
/// </summary>
public static class EpochItems
{
    public static readonly IReadOnlyList<EpochItem> All =
    [
        new("StakeThreshold", EpochKey.Value),
        new("TaoWeight", EpochKey.Value),
        new("MaxEpochsPerBlock", EpochKey.Value),
        new("SubnetworkN", EpochKey.Netuid),
        new("Tempo", EpochKey.Netuid),
        new("ActivityCutoff", EpochKey.Netuid),
        new("ActivityCutoffFactorMilli", EpochKey.Netuid),
        new("MaxAllowedValidators", EpochKey.Netuid),
        new("SubnetOwnerHotkey", EpochKey.Netuid),
        new("Kappa", EpochKey.Netuid),
        new("BondsPenalty", EpochKey.Netuid),
        new("BondsMovingAverage", EpochKey.Netuid),
        new("Yuma3On", EpochKey.Netuid),
        new("LiquidAlphaOn", EpochKey.Netuid),
        new("AlphaValues", EpochKey.Netuid),
        new("AlphaSigmoidSteepness", EpochKey.Netuid),
        new("CommitRevealWeightsEnabled", EpochKey.Netuid),
        new("RevealPeriodEpochs", EpochKey.Netuid),
        new("SubnetEpochIndex", EpochKey.Netuid),
        new("MechanismCountCurrent", EpochKey.Netuid),
        new("MechanismEmissionSplit", EpochKey.Netuid),
        new("BlocksSinceLastStep", EpochKey.Netuid),
        new("LastEpochBlock", EpochKey.Netuid),
        new("PendingEpochAt", EpochKey.Netuid),
        new("PendingServerEmission", EpochKey.Netuid),
        new("PendingValidatorEmission", EpochKey.Netuid),
        new("PendingRootAlphaDivs", EpochKey.Netuid),
        new("PendingOwnerCut", EpochKey.Netuid),
        new("LastUpdate", EpochKey.Mechanism),
        new("Keys", EpochKey.NetuidMap),
        new("BlockAtRegistration", EpochKey.NetuidMap),
        new("Weights", EpochKey.MechanismMap),
        new("WeightCommits", EpochKey.MechanismMap),
        new("TimelockedWeightCommits", EpochKey.MechanismMap),
        new("TotalHotkeyAlpha", EpochKey.Hotkey),
        new("ChildKeys", EpochKey.Hotkey),
        new("ParentKeys", EpochKey.Hotkey),
        new("TotalHotkeyAlpha", EpochKey.HotkeyRoot),
        new("Bonds", EpochKey.MechanismMap, Output: true),
        new("ValidatorPermit", EpochKey.Netuid, Output: true),
        new("LastMechansimStepBlock", EpochKey.Netuid, Output: true),
        new("Incentive", EpochKey.Mechanism, Output: true),
        new("Active", EpochKey.Netuid, Output: true),
        new("Emission", EpochKey.Netuid, Output: true),
        new("Consensus", EpochKey.Netuid, Output: true),
        new("Dividends", EpochKey.Netuid, Output: true),
        new("ValidatorTrust", EpochKey.Netuid, Output: true),
        new("StakeWeight", EpochKey.Netuid, Output: true),
        new("Rank", EpochKey.Netuid, Output: true),
        new("Trust", EpochKey.Netuid, Output: true),
        new("PruningScores", EpochKey.Netuid, Output: true),
        new("AlphaDividendsPerSubnet", EpochKey.NetuidMap, Output: true),
        new("RootAlphaDividendsPerSubnet", EpochKey.NetuidMap, Output: true),
    ];
}

/// <summary>A storage read of an epoch item, with the mechanism it belongs to (0 for per-subnet items).</summary>
public sealed record EpochRead(EpochItem Item, byte Mechanism, StorageRead Read);

/// <summary>Every epoch item of one subnet at one block, each with its key, raw bytes and decoded value.</summary>
public sealed class SubnetEpochState(BlockRef block, ushort netuid, int mechanisms, IReadOnlyList<EpochRead> reads, IReadOnlyList<string> missing)
{
    public BlockRef Block { get; } = block;

    public ushort Netuid { get; } = netuid;

    /// <summary>MechanismCountCurrent (1 before mechanisms existed).</summary>
    public int Mechanisms { get; } = mechanisms;

    public IReadOnlyList<EpochRead> Reads { get; } = reads;

    /// <summary>The items this runtime does not have (e.g. ActivityCutoffFactorMilli before spec 423).</summary>
    public IReadOnlyList<string> Missing { get; } = missing;

    /// <summary>The decoded value of a per-subnet (or per-mechanism) item; null when the runtime has no such item.</summary>
    public JsonNode? Value(string item, byte mechanism = 0) =>
        Reads.FirstOrDefault(r => r.Item.Name == item && r.Item.Key is (EpochKey.Value or EpochKey.Netuid or EpochKey.Mechanism) && r.Mechanism == mechanism)?.Read.Value;

    /// <summary>A per-subnet integer item; throws naming the item when it is absent from the runtime or not a number.</summary>
    public long Number(string item, byte mechanism = 0) =>
        Value(item, mechanism) is JsonValue v && v.TryGetValue<long>(out var n)
            ? n
            : throw new ChainLayoutException($"{item} (mechanism {mechanism}) of subnet {Netuid} at block {Block.Number} is not a whole number");

    /// <summary>The entries of a map item (or the per-hotkey reads), in key order.</summary>
    public IReadOnlyList<StorageRead> Map(string item, byte mechanism = 0, EpochKey? key = null) =>
        [.. Reads.Where(r => r.Item.Name == item && r.Mechanism == mechanism && (key is null || r.Item.Key == key)).Select(r => r.Read)];

    /// <summary>The hotkey of each uid, from Keys.</summary>
    public IReadOnlyDictionary<ushort, string> Hotkeys() =>
        Map("Keys").ToDictionary(r => (ushort)r.KeyParts[1]!.GetValue<long>(), r => r.Value!.GetValue<string>());

    /// <summary>A sparse u16 matrix item (Weights, Bonds): each uid's row of (column, value).</summary>
    public IReadOnlyDictionary<ushort, IReadOnlyList<(ushort Column, ushort Value)>> Rows(string item, byte mechanism = 0) =>
        Map(item, mechanism).ToDictionary(
            r => (ushort)r.KeyParts[1]!.GetValue<long>(),
            r => (IReadOnlyList<(ushort, ushort)>)[.. r.Value!.AsArray().Select(p => ((ushort)p![0]!.GetValue<long>(), (ushort)p[1]!.GetValue<long>()))]);
}

/// <summary>
/// Reads <see cref="EpochItems"/> of one subnet at one block through a <see cref="ChainReader"/>: single values in one
/// batched query, maps by key prefix, and per-hotkey items for the subnet's hotkeys and their parents.
/// </summary>
public sealed class SubnetEpochReader(ChainReader reader)
{
    private const string Pallet = "SubtensorModule";
    private const int MaxEntries = 1_000_000;

    private readonly ChainReader _reader = reader ?? throw new ArgumentNullException(nameof(reader));

    public async Task<SubnetEpochState> ReadAsync(BlockRef block, ushort netuid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        var runtime = await _reader.RuntimeAsync(block, cancellationToken).ConfigureAwait(false);
        var pallet = runtime.Metadata.FindPallet(Pallet)
            ?? throw new ChainMetadataException($"the runtime at block {block.Number} (spec {block.SpecVersion}) has no {Pallet}");
        var present = EpochItems.All.Where(i => pallet.FindStorage(i.Name) is not null).ToList();
        var missing = EpochItems.All.Where(i => pallet.FindStorage(i.Name) is null).Select(i => i.Name).Distinct().ToList();
        var reads = new List<EpochRead>();

        var mechanisms = 1;
        if (pallet.FindStorage("MechanismCountCurrent") is { } count)
        {
            var read = (await _reader.ReadKeysAsync(block, runtime, count, [Key(runtime, count, netuid)], cancellationToken).ConfigureAwait(false))[0];
            mechanisms = Math.Max(1, (int)read.Value!.GetValue<long>());
        }

        // Single values: the plain ones, per subnet, and per mechanism.
        var singles = new List<(EpochItem Item, byte Mechanism, StorageEntry Entry, byte[] Key)>();
        foreach (var item in present.Where(i => i.Key is EpochKey.Value or EpochKey.Netuid or EpochKey.Mechanism))
        {
            var entry = pallet.FindStorage(item.Name)!;
            foreach (var mechanism in MechanismsOf(item, mechanisms))
            {
                var key = item.Key == EpochKey.Value ? runtime.Keys.Key(entry) : Key(runtime, entry, Index(netuid, mechanism));
                singles.Add((item, mechanism, entry, key));
            }
        }

        // Every single value in one query (a page of keys), not one round trip per item.
        var values = await _reader.ReadKeysAsync(block, runtime, [.. singles.Select(k => (k.Entry, k.Key))], cancellationToken).ConfigureAwait(false);
        reads.AddRange(singles.Zip(values, (k, v) => new EpochRead(k.Item, k.Mechanism, v)));

        // Maps under the netuid or the mechanism's storage index.
        foreach (var item in present.Where(i => i.Key is EpochKey.NetuidMap or EpochKey.MechanismMap))
        {
            var entry = pallet.FindStorage(item.Name)!;
            foreach (var mechanism in MechanismsOf(item, mechanisms))
            {
                var prefix = Key(runtime, entry, Index(netuid, mechanism));
                var (entries, truncated) = await _reader.ReadPrefixAsync(block, runtime, entry, prefix, MaxEntries, cancellationToken).ConfigureAwait(false);
                if (truncated)
                {
                    throw new ChainLayoutException($"{Pallet}.{item.Name} of subnet {netuid} has more than {MaxEntries} entries");
                }

                reads.AddRange(entries.Select(e => new EpochRead(item, mechanism, e)));
            }
        }

        // Per hotkey: the subnet's hotkeys, then the parents they name (whose stake the children inherit).
        var hotkeys = reads.Where(r => r.Item.Name == "Keys").Select(r => r.Read.Value!.GetValue<string>()).Distinct().ToList();
        reads.AddRange(await HotkeyReadsAsync(block, runtime, pallet, present, hotkeys, netuid, cancellationToken).ConfigureAwait(false));
        var parents = reads.Where(r => r.Item.Name == "ParentKeys")
            .SelectMany(r => r.Read.Value!.AsArray().Select(p => p![1]!.GetValue<string>()))
            .Except(hotkeys)
            .Distinct()
            .ToList();
        if (parents.Count > 0)
        {
            var stakeOnly = present.Where(i => i.Name == "TotalHotkeyAlpha").ToList();
            reads.AddRange(await HotkeyReadsAsync(block, runtime, pallet, stakeOnly, parents, netuid, cancellationToken).ConfigureAwait(false));
        }

        return new SubnetEpochState(block, netuid, mechanisms, reads, missing);
    }

    private async Task<IEnumerable<EpochRead>> HotkeyReadsAsync(
        BlockRef block, ChainRuntime runtime, PalletMetadata pallet, IReadOnlyList<EpochItem> items, IReadOnlyList<string> hotkeys, ushort netuid, CancellationToken cancellationToken)
    {
        var wanted = new List<(EpochItem Item, StorageEntry Entry, byte[] Key)>();
        foreach (var item in items.Where(i => i.Key is EpochKey.Hotkey or EpochKey.HotkeyRoot))
        {
            var entry = pallet.FindStorage(item.Name)!;
            var subnet = item.Key == EpochKey.HotkeyRoot ? (ushort)0 : netuid;
            wanted.AddRange(hotkeys.Select(h => (item, entry, runtime.Keys.KeyFromText(entry, [h, subnet.ToString(CultureInfo.InvariantCulture)]))));
        }

        var values = await _reader.ReadKeysAsync(block, runtime, [.. wanted.Select(w => (w.Entry, w.Key))], cancellationToken).ConfigureAwait(false);
        return wanted.Zip(values, (w, v) => new EpochRead(w.Item, 0, v));
    }

    private static IEnumerable<byte> MechanismsOf(EpochItem item, int mechanisms) =>
        item.Key is EpochKey.Mechanism or EpochKey.MechanismMap ? Enumerable.Range(0, mechanisms).Select(m => (byte)m) : [0];

    private static ushort Index(ushort netuid, byte mechanism) => new SubnetMechanism(netuid, mechanism).StorageIndex;

    private static byte[] Key(ChainRuntime runtime, StorageEntry entry, ushort first) =>
        runtime.Keys.Key(entry, KeyEncoder.Encode(runtime.Metadata.Types, runtime.Keys.KeyPartTypes(entry)[0], first.ToString(CultureInfo.InvariantCulture)));
}
