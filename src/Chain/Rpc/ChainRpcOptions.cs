namespace Bittensor.Ledger.Chain.Rpc;

/// <summary>How a <see cref="ChainRpcClient"/> talks to its node. The defaults suit a public node over the internet.</summary>
public sealed record ChainRpcOptions
{
    /// <summary>Messages (single calls or whole batches) sent and not yet answered, at most. Default 32.</summary>
    public int MaxInFlight { get; init; } = 32;

    /// <summary>
    /// How long one call (or batch) may take once it is sent, reconnects included. Default 30 s.
    /// Waiting for a free in-flight slot does not count.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening the WebSocket may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a dropped connection: how many times to reconnect before giving up, and how many times one call
    /// is re-sent. Default 5. Zero turns reconnecting off.
    /// </summary>
    public int MaxReconnectAttempts { get; init; } = 5;

    /// <summary>The wait before the first reconnect; it doubles on each further attempt. Default 200 ms.</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between two reconnect attempts. Default 10 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1, nameof(MaxInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReconnectAttempts, 0, nameof(MaxReconnectAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
    }
}
