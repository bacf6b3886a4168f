using Bittensor.Ledger.Consensus.FixedPoint;

namespace Bittensor.Ledger.Consensus.Yuma;

/// <summary>Per-uid results of one epoch (spec §2.6), every array of length N.</summary>
public sealed record YumaOutput
{
    public required ushort[] StakeWeight { get; init; }
    public required ushort[] Consensus { get; init; }
    public required ushort[] Incentive { get; init; }
    public required ushort[] Dividends { get; init; }
    public required ushort[] ValidatorTrust { get; init; }
    public required ulong[] ServerEmission { get; init; }
    public required ulong[] ValidatorEmission { get; init; }
    /// <summary>The combined "Emission" storage value.</summary>
    public required ulong[] Emission { get; init; }
    public required bool[] Active { get; init; }
    public required bool[] NewValidatorPermit { get; init; }
    /// <summary>Bonds as stored after the epoch: empty rows for uids without a new permit.</summary>
    public required (ushort Col, ushort Val)[][] Bonds { get; init; }
    public YumaTrace? Trace { get; init; }
}

/// <summary>Intermediate I32F32 values (the Rust trace log), for tests and "why" explanations.</summary>
public sealed record YumaTrace
{
    public required I32F32[] Stake { get; init; }
    public required I32F32[] ActiveStake { get; init; }
    /// <summary>Weights after masks and row normalization.</summary>
    public required (ushort Col, I32F32 Val)[][] Weights { get; init; }
    public required I32F32[] Consensus { get; init; }
    public required I32F32[] Incentive { get; init; }
    public required I32F32[] Dividends { get; init; }
    public required I32F32[] ValidatorTrust { get; init; }
    /// <summary>ΔB after column normalization (classic bonds only; empty rows under Yuma3).</summary>
    public required (ushort Col, I32F32 Val)[][] BondsDelta { get; init; }
    /// <summary>EMA bonds before storage scaling.</summary>
    public required (ushort Col, I32F32 Val)[][] EmaBonds { get; init; }
    public required I32F32[] NormalizedServerEmission { get; init; }
    public required I32F32[] NormalizedValidatorEmission { get; init; }
    public required I32F32[] NormalizedCombinedEmission { get; init; }
}
