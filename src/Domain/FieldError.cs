namespace Bittensor.Ledger.Domain;

/// <summary>What is wrong with one field, and why: the field as the input names it (<c>uids[3]</c>,
/// <c>hyperparameters.tempo</c>, <c>--netuid</c>, <c>weights[2][1]</c>) and a human reason. The one error value of the
/// ledger: a ledger rule's refusal, a malformed line, a bad option or a bad JSON field, reported as
/// <c>field: reason</c> (after <c>FILE:LINE: </c> when the input is a file).</summary>
public sealed record FieldError(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}

/// <summary>A <see cref="FieldError"/> thrown where the error cannot be returned: the CLI reports its message and exits
/// with "bad input", the HTTP API answers 400 with it as a problem.</summary>
public sealed class FieldErrorException(FieldError error) : Exception(error?.ToString())
{
    public FieldErrorException(string field, string reason)
        : this(new FieldError(field, reason))
    {
    }

    public FieldError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}
