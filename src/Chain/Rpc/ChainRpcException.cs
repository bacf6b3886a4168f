using System.Globalization;

namespace Bittensor.Ledger.Chain.Rpc;

/// <summary>What went wrong in a <see cref="ChainRpcException"/>, for callers that react differently to each.</summary>
public enum ChainRpcFailure
{
    /// <summary>No WebSocket could be opened to the node.</summary>
    Unreachable,

    /// <summary>The node closed the socket before (or while) answering, and reconnecting did not help.</summary>
    ConnectionLost,

    /// <summary>No answer within <see cref="ChainRpcOptions.RequestTimeout"/>.</summary>
    Timeout,

    /// <summary>The node sent something that is not JSON.</summary>
    NotJson,

    /// <summary>The node answered with a JSON-RPC error.</summary>
    NodeError,

    /// <summary>The node no longer holds the state of the block asked about (a lite or pruned node).</summary>
    PrunedState,

    /// <summary>The answer is JSON but not of the shape the method returns, or names no such block.</summary>
    BadAnswer,
}

/// <summary>
/// The one exception of the chain RPC client. Its message is one line: the method, the block when the call has one,
/// what failed (the node's own code and message for JSON-RPC errors) and what to do about it.
/// </summary>
public sealed class ChainRpcException : Exception
{
    private ChainRpcException(
        ChainRpcFailure failure, string? method, string? block, string message, Exception? inner = null)
        : base(Prefix(method, block) + message, inner)
    {
        Failure = failure;
        Method = method;
        Block = block;
    }

    /// <summary>What kind of failure this is.</summary>
    public ChainRpcFailure Failure { get; }

    /// <summary>The JSON-RPC method that failed (null when no call was being made, e.g. on connect).</summary>
    public string? Method { get; }

    /// <summary>The block hash or number the call was about, when it had one.</summary>
    public string? Block { get; }

    /// <summary>The node's JSON-RPC error code, for <see cref="ChainRpcFailure.NodeError"/> and <see cref="ChainRpcFailure.PrunedState"/>.</summary>
    public int? ErrorCode { get; private init; }

    /// <summary>The node's JSON-RPC error message, for <see cref="ChainRpcFailure.NodeError"/> and <see cref="ChainRpcFailure.PrunedState"/>.</summary>
    public string? NodeMessage { get; private init; }

    internal static ChainRpcException Unreachable(
        string endpoint, string? method, string? block, string reason, Exception? inner) =>
        new(ChainRpcFailure.Unreachable, method, block,
            $"cannot reach the node at {endpoint} ({reason}). Check that the node is running, that the URL " +
            "(ws:// or wss://, host and port) is right and that its RPC port is open to this machine.", inner);

    internal static ChainRpcException BadUrl(string url) =>
        new(ChainRpcFailure.Unreachable, null, null,
            $"'{url}' is not a node URL. Give a WebSocket URL such as ws://127.0.0.1:9944 or wss://host:443.");

    internal static ChainRpcException ConnectionLost(
        string endpoint, string method, string? block, int attempts, bool midAnswer, string reason) =>
        new(ChainRpcFailure.ConnectionLost, method, block,
            $"the node at {endpoint} closed the connection {(midAnswer ? "mid-answer" : "before answering")} " +
            $"({reason}); gave up after {attempts} {(attempts == 1 ? "attempt" : "attempts")}. " +
            "Check the node's health and logs, or try another node.");

    internal static ChainRpcException Timeout(string method, string? block, TimeSpan waited) =>
        new(ChainRpcFailure.Timeout, method, block,
            $"no answer after waiting {Describe(waited)}. The node may be overloaded or syncing; " +
            "try again, or raise the timeout.");

    internal static ChainRpcException NotJson(string endpoint, string method, string? block, string sample) =>
        new(ChainRpcFailure.NotJson, method, block,
            $"the node at {endpoint} answered with something that is not JSON (starts with \"{sample}\"). " +
            "Check that the URL points at a Substrate node's RPC port.");

    internal static ChainRpcException BadAnswer(string method, string? block, string what) =>
        new(ChainRpcFailure.BadAnswer, method, block, what);

    internal static ChainRpcException NodeError(string method, string? block, int code, string message, string? data)
    {
        var node = $"{message}{(string.IsNullOrEmpty(data) ? "" : $": {data}")}";
        if (IsPruned(node))
            return new(ChainRpcFailure.PrunedState, method, block,
                $"the node has pruned this block's state (JSON-RPC error {code}: {node}). It keeps only recent " +
                "blocks (a lite node keeps about 256); use an archive node for older blocks.")
            { ErrorCode = code, NodeMessage = node };
        return new(ChainRpcFailure.NodeError, method, block, $"the node answered JSON-RPC error {code}: {node}")
        { ErrorCode = code, NodeMessage = node };
    }

    private static bool IsPruned(string nodeMessage) =>
        nodeMessage.Contains("State already discarded", StringComparison.OrdinalIgnoreCase)
        || nodeMessage.Contains("UnknownBlock", StringComparison.OrdinalIgnoreCase)
        || nodeMessage.Contains("Unknown block", StringComparison.OrdinalIgnoreCase);

    private static string Prefix(string? method, string? block) =>
        method is null ? "" : block is null ? $"{method}: " : $"{method} at block {block}: ";

    internal static string Describe(TimeSpan t) =>
        t.TotalSeconds >= 1
            ? t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
            : t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
