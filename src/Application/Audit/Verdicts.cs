using Bittensor.Ledger.Chain.Audit;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>The verdicts as stored and printed.</summary>
public static class Verdicts
{
    public const string Match = "match";
    public const string Differs = "differs";
    public const string Incomplete = "incomplete";

    public static string Of(EpochOutcome outcome) => outcome switch
    {
        EpochOutcome.Match => Match,
        EpochOutcome.Differs => Differs,
        _ => Incomplete,
    };

    /// <summary>The spec range whose epoch rules are the same (ADR 0011): the variants change at 334, 365, 401 and 423.</summary>
    public static string RuleSet(uint spec) => spec switch
    {
        < EpochRules.FirstSupportedSpec => "unsupported",
        < EpochRules.RootClaimableSpec => "320-333",
        < EpochRules.NoRankTrustSpec => "334-364",
        < EpochRules.OwnerExemptSpec => "365-400",
        < EpochRules.DynamicTempoSpec => "401-422",
        _ => "423+",
    };
}
