using Bittensor.Ledger.Domain;

namespace Bittensor.Ledger.Application.Interchange;

/// <summary>One parsed line: the event, its natural key (idempotent re-import) and its type name.</summary>
public sealed record ParsedLine(ILedgerEvent Event, string NaturalKey, string Type)
{
    /// <summary>True when the key came from the line's own <c>"id"</c>; false when it is the content key.</summary>
    public bool HasExplicitId { get; init; }
}
