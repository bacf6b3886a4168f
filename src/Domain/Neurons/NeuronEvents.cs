using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Neurons;

/// <summary>A hotkey took a uid on a subnet, paying <see cref="BurnPaid"/>; when the subnet was full it replaced
/// <see cref="PrunedHotkey"/> at that uid.</summary>
public sealed record NeuronRegistered(
    Block Block, NetUid NetUid, Uid Uid, Hotkey Hotkey, Coldkey Coldkey, Rao BurnPaid, Hotkey? PrunedHotkey) : ISubnetEvent;

/// <summary>Bonds held on <see cref="Hotkey"/>'s column were reset (spec §3.3).</summary>
public sealed record BondsReset(Block Block, NetUid NetUid, Hotkey Hotkey) : ISubnetEvent;
