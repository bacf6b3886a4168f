using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Network;

/// <summary>Network-wide parameters (spec §5, production defaults).</summary>
public sealed record NetworkParameters
{
    /// <summary>Owner cut as a u16 proportion of 65535 (default 11796 ≈ 18%).</summary>
    public ushort SubnetOwnerCut { get; init; } = 11_796;

    /// <summary>TAO weight in stake as a proportion of u64::MAX (0 = alpha stake only).</summary>
    public ulong TaoWeight { get; init; }

    /// <summary>Minimum stake (rao) for a uid to count in consensus, except the owner's.</summary>
    public ulong StakeThreshold { get; init; }

    /// <summary>Default delegate take, u16 proportion of 65535.</summary>
    public ushort DefaultTake { get; init; } = 11_796;
}

/// <summary>Genesis of the ledger: the issuance already in existence at <see cref="Block"/>.</summary>
public sealed record NetworkStarted(Block Block, Rao Issuance, NetworkParameters Parameters) : ILedgerEvent;

/// <summary>TAO minted into existence at a block (block emission, capped by the 21M supply).</summary>
public sealed record BlockEmissionMinted(Block Block, Rao Amount) : ILedgerEvent;

/// <summary>TAO taken out of issuance (it can be emitted again).</summary>
public sealed record TaoRecycled(Block Block, Coldkey Coldkey, Rao Amount) : ILedgerEvent;

/// <summary>TAO sent to the burn account (issuance unchanged, never spendable again).</summary>
public sealed record TaoBurned(Block Block, Coldkey Coldkey, Rao Amount) : ILedgerEvent;
