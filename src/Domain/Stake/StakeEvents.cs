using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Stake;

/// <summary>Alpha credited to (coldkey, hotkey) on a subnet; <see cref="TaoPaid"/> where the source has it.
/// The ledger does not price swaps itself.</summary>
public sealed record StakeAdded(Block Block, Coldkey Coldkey, Hotkey Hotkey, NetUid NetUid, Rao Alpha, Rao? TaoPaid) : ISubnetEvent;

/// <summary>Alpha debited from (coldkey, hotkey) on a subnet; <see cref="TaoReceived"/> where the source has it.</summary>
public sealed record StakeRemoved(Block Block, Coldkey Coldkey, Hotkey Hotkey, NetUid NetUid, Rao Alpha, Rao? TaoReceived) : ISubnetEvent;

/// <summary>Alpha moved by one coldkey from one hotkey to another on the same subnet.</summary>
public sealed record StakeMoved(Block Block, Coldkey Coldkey, Hotkey FromHotkey, Hotkey ToHotkey, NetUid NetUid, Rao Alpha) : ISubnetEvent;

/// <summary>A delegate's take, as a u16 proportion of 65535.</summary>
public sealed record DelegateTakeSet(Block Block, Hotkey Hotkey, ushort Take) : ILedgerEvent;

/// <summary>Staked alpha burned (subnet alpha issuance unchanged).</summary>
public sealed record AlphaBurned(Block Block, Coldkey Coldkey, Hotkey Hotkey, NetUid NetUid, Rao Alpha) : ISubnetEvent;

/// <summary>Staked alpha recycled (subnet alpha issuance falls).</summary>
public sealed record AlphaRecycled(Block Block, Coldkey Coldkey, Hotkey Hotkey, NetUid NetUid, Rao Alpha) : ISubnetEvent;
