namespace Bittensor.Ledger.Chain.Audit;

/// <summary>What the audit concluded about one observed epoch.</summary>
public enum EpochOutcome
{
    /// <summary>Every compared output is identical, bit for bit.</summary>
    Match,

    /// <summary>At least one compared output differs.</summary>
    Differs,

    /// <summary>The epoch cannot be recomputed: an input is missing, no epoch ran, or the rule set cannot be expressed.</summary>
    Incomplete,
}

/// <summary>
/// One output that differs: the field as the chain names it (<c>Incentive</c>, <c>Bonds</c>, <c>Dividends</c>,
/// <c>Consensus</c>, <c>ValidatorTrust</c>, <c>StakeWeight</c>, <c>ValidatorPermit</c>, <c>Active</c>, <c>Emission</c>,
/// <c>IncentiveAlphaEmittedToMiners</c>), its mechanism (0 for per-subnet fields), the uid, and both values as text
/// (a number, <c>true</c>/<c>false</c>, a bonds row <c>[[col,val],…]</c>, or <c>absent</c>).
/// </summary>
public sealed record EpochDifference(string Field, byte Mechanism, ushort Uid, string Chain, string Ledger);

/// <summary>
/// The audit of one observed epoch: match, differs (with every difference, the first one first in the order of
/// comparison) or incomplete (with the reason). Excluded uids were not compared; <see cref="NotCompared"/> names the
/// fields left out and why (e.g. Emission when the epoch's rao_emission is not known); <see cref="Caveats"/> says when
/// the inputs read at B−1 may not be what the epoch saw (a runtime upgrade in B; root dividends of a lower netuid's
/// epoch in B before spec 334), which a difference may come from.
/// </summary>
public sealed record EpochVerdict(
    ushort Netuid,
    long Block,
    uint SpecVersion,
    int Mechanisms,
    EpochOutcome Outcome,
    IReadOnlyList<ushort> ExcludedUids,
    IReadOnlyList<EpochDifference> Differences,
    IReadOnlyList<string> NotCompared,
    bool RuntimeUpgrade,
    IReadOnlyList<string> Caveats,
    string? Reason = null)
{
    /// <summary>The rao_emission the u64 outputs were compared with (given or inferred); null when they were not compared.</summary>
    public ulong? RaoEmission { get; init; }

    /// <summary>When <see cref="RaoEmission"/> was inferred from the written floors: the range they allow and how many agree.</summary>
    public string? RaoEmissionInferred { get; init; }

    /// <summary>The first difference in the order of comparison, or null.</summary>
    public EpochDifference? FirstDifference => Differences.Count > 0 ? Differences[0] : null;
}
