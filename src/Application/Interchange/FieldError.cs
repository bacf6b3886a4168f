using Bittensor.Ledger.Domain;

namespace Bittensor.Ledger.Application.Interchange;

/// <summary>A problem with one field of one line or command: the field in the interchange naming (<c>uids[3]</c>,
/// <c>hotkey</c>, <c>hyperparameters.tempo</c>) and why. Reported as <c>FILE:LINE: field: reason</c>.</summary>
public sealed record FieldError(string Field, string Reason)
{
    public static FieldError From(RuleViolation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        return new FieldError(violation.Field, violation.Reason);
    }

    public override string ToString() => $"{Field}: {Reason}";
}

/// <summary>One parsed line: the event, its natural key (idempotent re-import) and its type name.</summary>
public sealed record ParsedLine(ILedgerEvent Event, string NaturalKey, string Type)
{
    /// <summary>True when the key came from the line's own <c>"id"</c>; false when it is the content key.</summary>
    public bool HasExplicitId { get; init; }
}
