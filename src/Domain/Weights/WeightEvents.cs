using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Weights;

/// <summary>A validator's weights as stored on chain: <see cref="Values"/> already max-upscaled to 65535
/// (spec §1.2), entries in the caller's order, explicit zeros kept.</summary>
public sealed record WeightsSet(
    Block Block, NetUid NetUid, ushort Mechanism, Hotkey Hotkey, Uid Uid, ushort[] Uids, ushort[] Values, ulong VersionKey) : ISubnetEvent;
