namespace Bittensor.Ledger.Application.Store;

/// <summary>Where this process says that it waits for another command on the same database (the writer lock, the
/// projector lock) and who that is: the CLI writes it to stderr, so a command that seems to hang says why. One per
/// service provider; register your own before <c>AddLedgerApplication</c> (it adds a silent one otherwise).</summary>
public sealed class LockWaits(Action<string>? report = null)
{
    public static LockWaits Silent { get; } = new();

    /// <summary>What to pass as a lock's <c>waiting</c> callback; null when nobody listens.</summary>
    public Action<string>? Report => report;
}
