namespace Bittensor.Ledger.Chain.Scale;

/// <summary>Raised when SCALE input is truncated or malformed; names what was being read and where.</summary>
public sealed class ScaleDecodeException : Exception
{
    public ScaleDecodeException(string what, int offset, string reason)
        : base($"SCALE decode of {what} failed at byte offset {offset}: {reason}")
    {
        What = what;
        Offset = offset;
        Reason = reason;
    }

    public string What { get; }

    public int Offset { get; }

    public string Reason { get; }
}
