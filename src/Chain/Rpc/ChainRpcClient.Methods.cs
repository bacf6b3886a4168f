using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bittensor.Ledger.Chain.Rpc;

// The typed Substrate methods. A null hash means the node's best block.
public sealed partial class ChainRpcClient
{
    /// <summary>JSON-RPC's "method not found".</summary>
    private const int MethodNotFound = -32601;

    private volatile string _storageMethod = "state_getStorage";

    /// <summary><c>chain_getBlockHash</c>: the hash of block <paramref name="number"/>.</summary>
    /// <exception cref="ChainRpcException">Also when the node has no such block (past its head).</exception>
    public async Task<string> GetBlockHashAsync(long number, CancellationToken cancellationToken = default)
    {
        var call = new RpcCall("chain_getBlockHash", [number], number.ToString(CultureInfo.InvariantCulture));
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null)
            throw ChainRpcException.BadAnswer(call.Method, call.Block,
                "the node has no block with this number; is it past the chain's head?");
        return Read(call, result, "block hash", r => r.GetString()!);
    }

    /// <summary><c>chain_getHead</c>: the hash of the node's best block (the newest, not necessarily finalized).</summary>
    public async Task<string> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        var call = RpcCall.Of("chain_getHead");
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        return Read(call, result, "block hash", r => r.GetString()!);
    }

    /// <summary><c>chain_getFinalizedHead</c>: the hash of the latest finalized block.</summary>
    public async Task<string> GetFinalizedHeadAsync(CancellationToken cancellationToken = default)
    {
        var call = RpcCall.Of("chain_getFinalizedHead");
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        return Read(call, result, "block hash", r => r.GetString()!);
    }

    /// <summary><c>chain_getHeader</c>: the header of block <paramref name="hash"/> (null: the best block).</summary>
    /// <exception cref="ChainRpcException">Also when the node does not know the block.</exception>
    public async Task<BlockHeader> GetHeaderAsync(string? hash, CancellationToken cancellationToken = default)
    {
        var call = new RpcCall("chain_getHeader", [hash], hash);
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null)
            throw ChainRpcException.BadAnswer(call.Method, call.Block, "the node does not know this block.");
        return Read(call, result, "block header", r => new BlockHeader(
            Hex.ParseNumber(r.GetProperty("number").GetString()!),
            r.GetProperty("parentHash").GetString()!,
            r.GetProperty("stateRoot").GetString()!,
            r.GetProperty("extrinsicsRoot").GetString()!,
            r.TryGetProperty("digest", out var digest) && digest.TryGetProperty("logs", out var logs)
                ? [.. logs.EnumerateArray().Select(l => l.GetString()!)]
                : []));
    }

    /// <summary><c>state_getRuntimeVersion</c>: the runtime in force at <paramref name="hash"/>.</summary>
    public async Task<RuntimeVersion> GetRuntimeVersionAsync(
        string? hash, CancellationToken cancellationToken = default)
    {
        var call = new RpcCall("state_getRuntimeVersion", [hash], hash);
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        return Read(call, result, "runtime version", r => new RuntimeVersion(
            r.GetProperty("specName").GetString()!,
            r.GetProperty("implName").GetString()!,
            r.GetProperty("authoringVersion").GetUInt32(),
            r.GetProperty("specVersion").GetUInt32(),
            r.GetProperty("implVersion").GetUInt32(),
            r.TryGetProperty("transactionVersion", out var tx) ? tx.GetUInt32() : 0,
            r.TryGetProperty("stateVersion", out var sv) ? sv.GetUInt32() : 0,
            r.TryGetProperty("apis", out var apis)
                ? [.. apis.EnumerateArray().Select(a => new RuntimeApi(a[0].GetString()!, a[1].GetUInt32()))]
                : []));
    }

    /// <summary><c>state_getMetadata</c>: the runtime's metadata (<c>meta</c> magic, version byte, body).</summary>
    public async Task<byte[]> GetMetadataAsync(string? hash, CancellationToken cancellationToken = default)
    {
        var call = new RpcCall("state_getMetadata", [hash], hash);
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        return ReadBytes(call, result, "metadata");
    }

    /// <summary>
    /// <c>state_call</c>: runs runtime API <paramref name="method"/> (e.g. <c>Metadata_metadata_at_version</c>)
    /// with SCALE-encoded <paramref name="args"/> and returns its SCALE-encoded output.
    /// </summary>
    public async Task<byte[]> StateCallAsync(
        string method, byte[] args, string? hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(args);
        var call = new RpcCall("state_call", [method, Hex.Encode(args), hash], hash);
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        return ReadBytes(call, result, $"{method} result");
    }

    /// <summary>
    /// <c>state_getStorage</c> (<c>state_getStorageAt</c> is the same call under an older name): the value under
    /// <paramref name="key"/>, or null when none is stored (a ValueQuery item then has its metadata default).
    /// </summary>
    public async Task<byte[]?> GetStorageAsync(byte[] key, string? hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var call = new RpcCall(_storageMethod, [Hex.Encode(key), hash], hash);
        JsonElement result;
        try
        {
            result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (ChainRpcException e) when (e.ErrorCode == MethodNotFound && _storageMethod == "state_getStorage")
        {
            // A node (or a recording of one) that knows only the older name: use it from now on.
            _storageMethod = "state_getStorageAt";
            call = call with { Method = _storageMethod };
            result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        }

        return result.ValueKind == JsonValueKind.Null ? null : ReadBytes(call, result, "storage value");
    }

    /// <summary>
    /// <c>state_queryStorageAt</c>: the values under many keys at one block, in the order the node lists them
    /// (a null value: nothing stored).
    /// </summary>
    public async Task<IReadOnlyList<StorageValue>> QueryStorageAtAsync(
        IReadOnlyList<byte[]> keys, string? hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var keyArray = new JsonArray([.. keys.Select(k => (JsonNode?)Hex.Encode(k))]);
        var call = new RpcCall("state_queryStorageAt", [keyArray, hash], hash);
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        return Read(call, result, "list of storage change sets", r =>
            (IReadOnlyList<StorageValue>)[
                .. r.EnumerateArray().SelectMany(set => set.GetProperty("changes").EnumerateArray())
                    .Select(change => new StorageValue(
                        Hex.Decode(change[0].GetString()!),
                        change[1].ValueKind == JsonValueKind.Null ? null : Hex.Decode(change[1].GetString()!))),
            ]);
    }

    /// <summary>
    /// <c>state_getKeysPaged</c>: up to <paramref name="count"/> keys starting with <paramref name="prefix"/>,
    /// after <paramref name="startKey"/> (null: from the start).
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> GetKeysPagedAsync(
        byte[] prefix, int count, byte[]? startKey, string? hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var start = startKey is null ? null : Hex.Encode(startKey);
        var call = new RpcCall("state_getKeysPaged", [Hex.Encode(prefix), count, start, hash], hash);
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        return Read(call, result, "list of keys",
            r => (IReadOnlyList<byte[]>)[.. r.EnumerateArray().Select(k => Hex.Decode(k.GetString()!))]);
    }

    /// <summary><c>system_chain</c>: the chain's name, <c>Bittensor</c> on mainnet.</summary>
    public async Task<string> SystemChainAsync(CancellationToken cancellationToken = default)
    {
        var call = RpcCall.Of("system_chain");
        var result = await CallAsync(call, cancellationToken).ConfigureAwait(false);
        return Read(call, result, "chain name", r => r.GetString()!);
    }

    private static byte[] ReadBytes(RpcCall call, JsonElement result, string what) =>
        Read(call, result, $"{what} (0x hex)", r => Hex.Decode(r.GetString()!));

    // Shape errors (wrong JSON kind, missing property, bad hex) become one clear BadAnswer.
    private static T Read<T>(RpcCall call, JsonElement result, string what, Func<JsonElement, T> read)
    {
        try
        {
            return read(result) ?? throw new FormatException("null");
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException
                                      or IndexOutOfRangeException or ArgumentException)
        {
            var text = result.GetRawText();
            throw ChainRpcException.BadAnswer(call.Method, call.Block,
                $"expected a {what} but the node answered {(text.Length > 80 ? text[..80] + "…" : text)} ({e.Message}).");
        }
    }
}
