namespace Bittensor.Ledger.Domain;

/// <summary>Why an event cannot be applied to the ledger state: the offending field (in the interchange format's
/// snake_case naming, e.g. <c>uids[3]</c>) and a human reason.</summary>
public sealed record RuleViolation(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}
