using System.Text.Json.Nodes;

namespace Bittensor.Ledger.Chain.Rpc;

/// <summary>One JSON-RPC call: the method, its positional parameters, and the block it is about (for error messages).</summary>
/// <param name="Method">The JSON-RPC method, e.g. <c>chain_getBlockHash</c>.</param>
/// <param name="Params">The positional parameters; hashes and bytes as <c>0x</c> hex.</param>
/// <param name="Block">The block hash or number the call reads, or null; it only appears in error messages.</param>
public sealed record RpcCall(string Method, JsonArray Params, string? Block = null)
{
    /// <summary>A call with the given parameters and no block.</summary>
    public static RpcCall Of(string method, params JsonNode?[] parameters) => new(method, new JsonArray(parameters));
}
