using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Events;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Domain.Chain;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Chain.Readers;

/// <summary>
/// Turns what the readers observed into the ledger's observed-chain facts (Domain/Chain) and back: an
/// <see cref="ObservedEpoch"/> is stored as an <see cref="EpochInputsObserved"/> and an <see cref="EpochOutputsObserved"/>
/// and rebuilt from them exactly (every read's item, mechanism, key, raw bytes and decoded value), so the audit runs on
/// what the event store holds, not on the node.
/// </summary>
public static class ObservedFacts
{
    /// <summary>The epoch's two facts: what it read and what it wrote.</summary>
    public static (EpochInputsObserved Inputs, EpochOutputsObserved Outputs) FromEpoch(ObservedEpoch epoch, uint parentSpecVersion)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        var block = new Block(checked((ulong)epoch.Block.Number));
        var netuid = new NetUid(epoch.Netuid);
        var inputs = new EpochInputsObserved(
            block, epoch.Block.Hash, epoch.Block.ParentHash, epoch.Block.SpecVersion, parentSpecVersion, netuid,
            epoch.Inputs.Mechanisms, epoch.RuntimeUpgrade,
            [.. epoch.Inputs.Reads.Select(Value)], [.. epoch.Inputs.Missing],
            [.. epoch.RevealedWeights.Select(Value)], [.. epoch.Commits.Select(Value)], [.. epoch.ExcludedUids]);
        var outputs = new EpochOutputsObserved(
            block, epoch.Block.Hash, epoch.Block.SpecVersion, netuid, epoch.Outputs.Mechanisms,
            [.. epoch.Outputs.Reads.Select(Value)], [.. epoch.Outputs.Missing],
            [.. epoch.MinerEmissions.Select(m => new MinerEmissionsObserved(m.Subnet.Mechanism, [.. m.Emissions]))]);
        return (inputs, outputs);
    }

    /// <summary>
    /// The <see cref="ObservedEpoch"/> the two facts were made from. The typed events of the block are not stored with
    /// the epoch: the miner emissions come back as <see cref="IncentiveAlphaEmittedToMiners"/> records, and the uids
    /// the block's extrinsics touched are the stored <see cref="EpochInputsObserved.ExcludedUids"/>.
    /// </summary>
    public static ObservedEpoch ToEpoch(EpochInputsObserved inputs, EpochOutputsObserved outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.NetUid != outputs.NetUid || inputs.Block != outputs.Block)
        {
            throw new ArgumentException($"inputs of subnet {inputs.NetUid} at {inputs.Block} and outputs of subnet {outputs.NetUid} at {outputs.Block} are not one epoch");
        }

        var number = checked((long)inputs.Block.Value);
        var at = new BlockRef(number, inputs.BlockHash, inputs.ParentHash, inputs.SpecVersion);
        var before = new BlockRef(number - 1, inputs.ParentHash, "", inputs.ParentSpecVersion);
        var netuid = inputs.NetUid.Value;
        var state = new SubnetEpochState(before, netuid, inputs.Mechanisms, [.. inputs.Values.Select(Read)], [.. inputs.Missing]);
        var written = new SubnetEpochState(at, netuid, outputs.Mechanisms, [.. outputs.Values.Select(Read)], [.. outputs.Missing]);
        var source = new ChainEvent(-1, EventPhase.Initialization, SubtensorEvents.Pallet, "IncentiveAlphaEmittedToMiners", new JsonObject(), [], []);
        var miners = outputs.MinerEmissions
            .Select(m => (SubtensorEvent)new IncentiveAlphaEmittedToMiners(source, new SubnetMechanism(netuid, m.Mechanism), m.Emissions))
            .ToList();
        return new ObservedEpoch(at, netuid, state, written, [.. inputs.RevealedWeights.Select(Read)], [.. inputs.Commits.Select(Read)],
            miners, [.. inputs.ExcludedUids], inputs.RuntimeUpgrade);
    }

    /// <summary>One read as a stored value.</summary>
    public static ObservedValue Value(EpochRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Value(read.Item.Name, read.Item.Key.ToString(), read.Mechanism, read.Read);
    }

    /// <summary>One storage read as a stored value, under the item name and keying it was read as.</summary>
    public static ObservedValue Value(string item, string keyed, byte mechanism, StorageRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return new ObservedValue(item, keyed, mechanism, Convert.ToHexStringLower(read.Key),
            new JsonArray([.. read.KeyParts.Select(p => p?.DeepClone())]),
            read.Raw is null ? null : Convert.ToHexStringLower(read.Raw), read.Value?.DeepClone(), read.Entry.IsOptional);
    }

    /// <summary>A stored value as the read it was made from. The metadata entry is reduced to what the value says of
    /// it (pallet, item, optional): hashers and types stay with the runtime's metadata.</summary>
    public static EpochRead Read(ObservedValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!Enum.TryParse<EpochKey>(value.Keyed, out var keyed))
        {
            throw new ChainLayoutException($"stored epoch value {value.Item} is keyed by '{value.Keyed}', which this ledger does not know");
        }

        var item = EpochItems.All.FirstOrDefault(i => i.Name == value.Item && i.Key == keyed)
            ?? new EpochItem(value.Item, keyed);
        var entry = new StorageEntry(SubtensorEvents.Pallet, value.Item, value.Optional, [], null, 0, [], []);
        var read = new StorageRead(entry, Convert.FromHexString(value.Key),
            [.. (value.KeyParts ?? []).Select(p => p?.DeepClone())],
            value.Raw is null ? null : Convert.FromHexString(value.Raw), value.Value?.DeepClone());
        return new EpochRead(item, value.Mechanism, read);
    }
}
