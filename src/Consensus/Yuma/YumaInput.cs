using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Yuma;

/// <summary>Per-subnet (per-mechanism) hyperparameters the epoch reads (spec §1, §5). Names follow the vectors' JSON.</summary>
public sealed record YumaHyperparameters
{
    public ushort Tempo { get; init; } = 360;
    /// <summary>Already derived: max(1, ActivityCutoffFactorMilli·tempo/1000).</summary>
    public ulong ActivityCutoff { get; init; } = 5000;
    public ulong StakeThreshold { get; init; }
    public ushort? OwnerUid { get; init; }
    public ushort MaxAllowedValidators { get; init; } = 128;
    public ushort Kappa { get; init; } = 32_767;
    public ushort BondsPenalty { get; init; } = 65_535;
    public bool Yuma3 { get; init; }
    public bool LiquidAlpha { get; init; }
    public ushort AlphaLow { get; init; } = 45_875;
    public ushort AlphaHigh { get; init; } = 58_982;
    public short AlphaSigmoidSteepness { get; init; } = 1000;
    /// <summary>Per million; α = 1 − bma/1e6.</summary>
    public ulong BondsMovingAverage { get; init; } = 900_000;
    /// <summary>LastMechansimStepBlock: 0 = never (then last_tempo = current_block − tempo).</summary>
    public ulong LastMechanismStepBlock { get; init; }
}

/// <summary>
/// Everything one sparse Yuma epoch reads. Arrays are indexed by uid 0..N−1. <see cref="LastUpdate"/> and
/// <see cref="ValidatorPermit"/> may be shorter than N (missing entries are masked, spec §6); the sparse rows are the
/// stored u16 rows in stored order (weights already max-upscaled); columns ≥ N of weight rows are ignored.
/// </summary>
public sealed record YumaInput
{
    public ulong CurrentBlock { get; init; }
    public ulong RaoEmission { get; init; }
    public YumaHyperparameters Hyperparameters { get; init; } = new();
    public int N { get; init; }
    /// <summary>Alpha stake in rao per uid (length N). Ignored when <see cref="TotalStake"/> is given.</summary>
    public ulong[] StakeAlphaRao { get; init; } = [];
    /// <summary>Optional TAO stake in rao per uid (length N), weighted by <see cref="TaoWeight"/> (spec §1.1).</summary>
    public ulong[]? StakeTaoRao { get; init; }
    /// <summary>TaoWeight / u64::MAX as I64F64 (mock and vectors: 0).</summary>
    public I64F64 TaoWeight { get; init; }
    /// <summary>Optional precomputed total stake (I64F64, rao units) per uid; overrides the alpha/TAO inputs.</summary>
    public I64F64[]? TotalStake { get; init; }
    public ulong[] BlockAtRegistration { get; init; } = [];
    public ulong[] LastUpdate { get; init; } = [];
    public bool[] ValidatorPermit { get; init; } = [];
    public (ushort Col, ushort Val)[][] Weights { get; init; } = [];
    public (ushort Col, ushort Val)[][] Bonds { get; init; } = [];
    /// <summary>
    /// Commit-reveal column mask (step W5): per row the earliest non-expired commit block (u64::MAX = none). Null when
    /// commit-reveal is disabled; the mask is then skipped entirely.
    /// </summary>
    public ulong[]? CommitBlocks { get; init; }
    /// <summary>When true, <see cref="YumaOutput.Trace"/> carries the intermediate I32F32 vectors.</summary>
    public bool Trace { get; init; }
}
