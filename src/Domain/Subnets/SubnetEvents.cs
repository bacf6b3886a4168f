using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Domain.Subnets;

/// <summary>The per-subnet hyperparameters the epoch and registration read (spec §1, §5; defaults of a new subnet).</summary>
public sealed record SubnetHyperparameters
{
    public ushort Tempo { get; init; } = 360;
    public ushort ActivityCutoffFactorMilli { get; init; } = 13_889;
    public ushort Kappa { get; init; } = 32_767;
    public ushort BondsPenalty { get; init; } = 65_535;
    public ulong BondsMovingAverage { get; init; } = 900_000;
    public bool Yuma3 { get; init; } = true;
    public bool LiquidAlpha { get; init; }
    public ushort AlphaLow { get; init; } = 45_875;
    public ushort AlphaHigh { get; init; } = 58_982;
    public short AlphaSigmoidSteepness { get; init; } = 1_000;
    public ushort MaxAllowedValidators { get; init; } = 64;
    public ushort MaxAllowedUids { get; init; } = 256;
    public ushort ImmunityPeriod { get; init; } = 5_000;
    public ushort MinNonImmuneUids { get; init; } = 10;
    public ulong WeightsSetRateLimit { get; init; } = 100;
    public ushort MechanismCount { get; init; } = 1;
    public ulong MinBurn { get; init; } = 500_000;
    public ulong MaxBurn { get; init; } = 100_000_000_000;
    public ulong Burn { get; init; } = 1_000_000_000;
    public ushort BurnHalfLife { get; init; } = 360;

    /// <summary>Burn increase multiplier after a registration, in millionths (1_260_000 = 1.26).</summary>
    public ulong BurnIncreaseMultMillionths { get; init; } = 1_260_000;

    /// <summary>Activity cutoff in blocks: max(1, factor · tempo / 1000), integer floor (spec §1).</summary>
    public ulong ActivityCutoff => Math.Max(1UL, (ulong)ActivityCutoffFactorMilli * Tempo / 1000UL);
}

/// <summary>A subnet came into existence.</summary>
public sealed record SubnetRegistered(
    Block Block, NetUid NetUid, Coldkey Owner, Hotkey OwnerHotkey, Rao LockCost, SubnetHyperparameters Hyperparameters) : ISubnetEvent;

/// <summary>The subnet's hyperparameters from this block on (the whole set, so the state at any block is one event away).</summary>
public sealed record HyperparametersChanged(Block Block, NetUid NetUid, SubnetHyperparameters Hyperparameters) : ISubnetEvent;

/// <summary>Input from the chain: the subnet's share of block emission (Numerator/Denominator) and, where known,
/// the price of one alpha in rao of TAO. The ledger does not run the AMM; it takes these as given.</summary>
public sealed record SubnetEmissionShareSet(Block Block, NetUid NetUid, ulong ShareNumerator, ulong ShareDenominator, Rao? AlphaPrice) : ISubnetEvent;

/// <summary>The chain ran this subnet's epoch at <see cref="Block"/> (imported from a chain export).</summary>
public sealed record EpochTriggered(Block Block, NetUid NetUid) : ISubnetEvent;
