namespace Bittensor.Ledger.Chain.Audit;

/// <summary>
/// The variants of subtensor's epoch that differ between the runtimes the audit supports (chain-adapter.md §1.7),
/// chosen by the spec version that executed the epoch block. One record so that every difference is named in one place
/// and a test can pin each one (ADR 0011). Each flag was read from the subtensor source at the release tag named.
/// </summary>
/// <param name="Spec">The spec version that executed the epoch block.</param>
/// <param name="DynamicTempo">
/// From 423 (v3.4.8): epochs are scheduled by LastEpochBlock/PendingEpochAt; the bonds mask is LastMechansimStepBlock + 1
/// (B − tempo when 0); ActivityCutoffFactorMilli·tempo/1000 (min 1) replaces ActivityCutoff; commit-reveal epochs are
/// SubnetEpochIndex (the index after the drain) instead of (block + netuid + 1) / (tempo + 1), and
/// <c>WeightCommits</c> entries are (hash, commit_epoch, commit_block, reveal_block) instead of (hash, commit_block,
/// first_reveal, last_reveal).
/// </param>
/// <param name="OwnerExempt">From 401 (v3.3.14): the owner uid is exempt from StakeThreshold and always permitted; before, only its self-weight survives the diagonal mask.</param>
/// <param name="RankTrustPruning">Before 365 (v3.3.2): the epoch also writes Rank, Trust and PruningScores, derived from the port's trace by <see cref="LegacyTerms"/>.</param>
/// <param name="RootDividendsAsStake">
/// Before 334 (v3.2.10): a subnet's distribution paid root dividends as root stake, so a lower netuid's epoch earlier in
/// the same block changed the TotalHotkeyAlpha(hotkey, 0) a later subnet's epoch read; the state at B−1 does not show it.
/// </param>
public sealed record EpochRules(uint Spec, bool DynamicTempo, bool OwnerExempt, bool RankTrustPruning, bool RootDividendsAsStake)
{
    /// <summary>The first spec the audit supports: mechanisms and NetUidStorageIndex (v3.2.8).</summary>
    public const uint FirstSupportedSpec = 320;

    public const uint DynamicTempoSpec = 423;
    public const uint OwnerExemptSpec = 401;
    public const uint NoRankTrustSpec = 365;
    public const uint RootClaimableSpec = 334;

    /// <summary>The rule set of <paramref name="spec"/>; throws <see cref="UnsupportedSpecException"/> before spec 320.</summary>
    public static EpochRules For(uint spec) =>
        spec < FirstSupportedSpec
            ? throw new UnsupportedSpecException(spec)
            : new EpochRules(spec, spec >= DynamicTempoSpec, spec >= OwnerExemptSpec, spec < NoRankTrustSpec, spec < RootClaimableSpec);

    /// <summary>The input items this rule set reads besides those every supported spec has.</summary>
    public IReadOnlyList<string> SpecificInputs =>
        DynamicTempo ? ["ActivityCutoffFactorMilli", "SubnetEpochIndex", "LastMechansimStepBlock"] : ["ActivityCutoff"];

    /// <summary>The activity cutoff in blocks: ActivityCutoff before 423, max(1, factor·tempo/1000) from 423.</summary>
    public ulong ActivityCutoff(ulong storedCutoff, ulong factorMilli, ushort tempo) =>
        DynamicTempo ? Math.Max(1, factorMilli * tempo / 1000) : storedCutoff;

    /// <summary>The LastMechansimStepBlock the port's bonds mask uses: 0 (so B − tempo) before 423, the stored value from 423.</summary>
    public ulong BondsMaskStep(ulong lastMechanismStepBlock) => DynamicTempo ? lastMechanismStepBlock : 0;
}

/// <summary>An epoch of a runtime older than the audit supports: one line saying so.</summary>
public sealed class UnsupportedSpecException(uint spec)
    : Exception($"spec {spec} is older than spec {EpochRules.FirstSupportedSpec}, the first the audit supports (mechanisms); audit blocks from spec {EpochRules.FirstSupportedSpec} on")
{
    public uint Spec { get; } = spec;
}
