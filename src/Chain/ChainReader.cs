using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Events;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Rpc;

namespace Bittensor.Ledger.Chain;

/// <summary>A block by number and hash, with the spec version of the runtime that executed it.</summary>
public sealed record BlockRef(long Number, string Hash, string ParentHash, uint SpecVersion);

/// <summary>The node's view of the chain: its name, best and finalized blocks, and the runtime at the best block.</summary>
public sealed record ChainHead(string Chain, long BestNumber, string BestHash, long FinalizedNumber, string FinalizedHash, string SpecName, uint SpecVersion);

/// <summary>Every event record of one block, decoded with the runtime that executed it.</summary>
public sealed record BlockEvents(BlockRef Block, IReadOnlyList<ChainEvent> Records);

/// <summary>
/// One storage read: the key, the raw SCALE bytes (null when absent), and the decoded value (the metadata default
/// when a ValueQuery key is absent). <see cref="KeyParts"/> holds the key values a "Concat" hasher keeps readable.
/// </summary>
public sealed record StorageRead(StorageEntry Entry, byte[] Key, IReadOnlyList<JsonNode?> KeyParts, byte[]? Raw, JsonNode? Value);

/// <summary>
/// Reads a subtensor node through <see cref="ChainRpcClient"/> and decodes what it answers with the metadata of the
/// runtime each block ran under, fetched once per spec version (and kept in a <see cref="MetadataCache"/>).
/// State and events at block B are decoded with the runtime that executed B: the one in force at B's parent, since a
/// runtime upgrade set in block B first runs in B+1.
/// </summary>
public sealed class ChainReader : IAsyncDisposable
{
    /// <summary>The largest page <c>state_getKeysPaged</c> is asked for.</summary>
    public const int KeysPage = 1000;

    private static readonly byte[] MetadataV15 = [15, 0, 0, 0];

    private readonly MetadataCache? _cache;
    private readonly ConcurrentDictionary<uint, Lazy<Task<ChainRuntime>>> _runtimes = new();
    private readonly SemaphoreSlim _genesisLock = new(1, 1);
    private string? _genesis;

    public ChainReader(ChainRpcClient rpc, MetadataCache? cache)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        Rpc = rpc;
        _cache = cache;
    }

    public ChainRpcClient Rpc { get; }

    public static async Task<ChainReader> ConnectAsync(string url, ChainRpcOptions? options, MetadataCache? cache, CancellationToken cancellationToken)
    {
        var rpc = await ChainRpcClient.ConnectAsync(url, options, cancellationToken).ConfigureAwait(false);
        return new ChainReader(rpc, cache);
    }

    public async Task<ChainHead> HeadAsync(CancellationToken cancellationToken)
    {
        var chain = await Rpc.SystemChainAsync(cancellationToken).ConfigureAwait(false);
        var best = await Rpc.GetHeaderAsync(null, cancellationToken).ConfigureAwait(false);
        var bestHash = await Rpc.GetBlockHashAsync(best.Number, cancellationToken).ConfigureAwait(false);
        var finalizedHash = await Rpc.GetFinalizedHeadAsync(cancellationToken).ConfigureAwait(false);
        var finalized = await Rpc.GetHeaderAsync(finalizedHash, cancellationToken).ConfigureAwait(false);
        var version = await Rpc.GetRuntimeVersionAsync(bestHash, cancellationToken).ConfigureAwait(false);
        return new ChainHead(chain, best.Number, bestHash, finalized.Number, finalizedHash, version.SpecName, version.SpecVersion);
    }

    /// <summary>Block <paramref name="number"/>: its hash, its parent, and the spec of the runtime that executed it.</summary>
    public async Task<BlockRef> BlockAsync(long number, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        var hash = await Rpc.GetBlockHashAsync(number, cancellationToken).ConfigureAwait(false);
        var header = await Rpc.GetHeaderAsync(hash, cancellationToken).ConfigureAwait(false);
        var executedBy = number == 0 ? hash : header.ParentHash;
        var version = await Rpc.GetRuntimeVersionAsync(executedBy, cancellationToken).ConfigureAwait(false);
        return new BlockRef(number, hash, header.ParentHash, version.SpecVersion);
    }

    /// <summary>The runtime that executed <paramref name="block"/>, its metadata fetched at most once per spec version.</summary>
    public Task<ChainRuntime> RuntimeAsync(BlockRef block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        var lazy = _runtimes.GetOrAdd(block.SpecVersion, spec => new Lazy<Task<ChainRuntime>>(() => LoadRuntimeAsync(spec, block, cancellationToken)));
        return AwaitOrForgetAsync(block.SpecVersion, lazy);
    }

    /// <summary>Every event record of block <paramref name="number"/>.</summary>
    public async Task<BlockEvents> EventsAsync(long number, CancellationToken cancellationToken) =>
        await EventsAsync(await BlockAsync(number, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Every event record of <paramref name="block"/>, already looked up.</summary>
    public async Task<BlockEvents> EventsAsync(BlockRef block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        var runtime = await RuntimeAsync(block, cancellationToken).ConfigureAwait(false);
        var raw = await Rpc.GetStorageAsync(runtime.Keys.Prefix(runtime.Events.Storage), block.Hash, cancellationToken).ConfigureAwait(false);
        var records = raw is null ? [] : Decode(block, "System.Events", () => runtime.Events.Decode(raw));
        return new BlockEvents(block, records);
    }

    /// <summary>
    /// The value of <paramref name="pallet"/>.<paramref name="item"/> under the given keys (text: SS58 addresses,
    /// integers, hex). With all keys, one value; with fewer, every entry of the map under them, up to <paramref name="limit"/>.
    /// </summary>
    public async Task<(BlockRef Block, IReadOnlyList<StorageRead> Values, bool Truncated)> StorageAsync(
        long number, string pallet, string item, IReadOnlyList<string> keys, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var block = await BlockAsync(number, cancellationToken).ConfigureAwait(false);
        var runtime = await RuntimeAsync(block, cancellationToken).ConfigureAwait(false);
        var entry = runtime.Metadata.Storage(pallet, item);
        var key = runtime.Keys.KeyFromText(entry, keys);
        if (keys.Count == entry.Hashers.Count)
        {
            var raw = await Rpc.GetStorageAsync(key, block.Hash, cancellationToken).ConfigureAwait(false);
            return (block, [Read(block, runtime, entry, key, raw)], false);
        }

        var (reads, truncated) = await ReadPrefixAsync(block, runtime, entry, key, limit, cancellationToken).ConfigureAwait(false);
        return (block, reads, truncated);
    }

    /// <summary>The values under these full keys of <paramref name="entry"/>, in one <c>state_queryStorageAt</c> per page.</summary>
    public Task<IReadOnlyList<StorageRead>> ReadKeysAsync(
        BlockRef block, ChainRuntime runtime, StorageEntry entry, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return ReadKeysAsync(block, runtime, [.. keys.Select(k => (entry, k))], cancellationToken);
    }

    /// <summary>The values under these full keys, of any items, in one <c>state_queryStorageAt</c> per page of keys.</summary>
    public async Task<IReadOnlyList<StorageRead>> ReadKeysAsync(
        BlockRef block, ChainRuntime runtime, IReadOnlyList<(StorageEntry Entry, byte[] Key)> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var reads = new List<StorageRead>(keys.Count);
        foreach (var chunk in keys.Chunk(KeysPage))
        {
            var values = await Rpc.QueryStorageAtAsync([.. chunk.Select(k => k.Key)], block.Hash, cancellationToken).ConfigureAwait(false);
            var byKey = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
            foreach (var value in values)
            {
                byKey[Convert.ToHexString(value.Key)] = value.Value;
            }

            reads.AddRange(chunk.Select(k => Read(block, runtime, k.Entry, k.Key, byKey.GetValueOrDefault(Convert.ToHexString(k.Key)))));
        }

        return reads;
    }

    /// <summary>Every entry of <paramref name="entry"/> whose key starts with <paramref name="prefix"/>, up to <paramref name="limit"/>.</summary>
    public async Task<(IReadOnlyList<StorageRead> Reads, bool Truncated)> ReadPrefixAsync(
        BlockRef block, ChainRuntime runtime, StorageEntry entry, byte[] prefix, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var found = new List<byte[]>();
        byte[]? start = null;
        while (found.Count <= limit)
        {
            var asked = Math.Min(KeysPage, limit + 1 - found.Count);
            var page = await Rpc.GetKeysPagedAsync(prefix, asked, start, block.Hash, cancellationToken).ConfigureAwait(false);
            found.AddRange(page);
            if (page.Count < asked || found.Count > limit)
            {
                break;
            }

            start = page[^1];
        }

        var reads = await ReadKeysAsync(block, runtime, entry, [.. found.Take(limit)], cancellationToken).ConfigureAwait(false);
        return (reads, found.Count > limit);
    }

    public async ValueTask DisposeAsync()
    {
        await Rpc.DisposeAsync().ConfigureAwait(false);
        _genesisLock.Dispose();
    }

    private static StorageRead Read(BlockRef block, ChainRuntime runtime, StorageEntry entry, byte[] key, byte[]? raw) =>
        Decode(block, $"{entry.Pallet}.{entry.Name}", () =>
            new StorageRead(entry, key, runtime.Keys.DecodeKey(entry, key), raw, runtime.Keys.DecodeValue(entry, raw)));

    private static T Decode<T>(BlockRef block, string what, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is Scale.ScaleDecodeException or FormatException or KeyNotFoundException)
        {
            throw new ChainDecodeException(
                $"{what} at block {block.Number} (spec {block.SpecVersion}) does not decode with that runtime's metadata: {e.Message}", e);
        }
    }

    private async Task<ChainRuntime> AwaitOrForgetAsync(uint spec, Lazy<Task<ChainRuntime>> lazy)
    {
        try
        {
            return await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            // A failed fetch (a dropped node, a cancel) must not poison the spec for later calls.
            _runtimes.TryRemove(new KeyValuePair<uint, Lazy<Task<ChainRuntime>>>(spec, lazy));
            throw;
        }
    }

    private async Task<ChainRuntime> LoadRuntimeAsync(uint spec, BlockRef block, CancellationToken cancellationToken)
    {
        var genesis = await GenesisAsync(cancellationToken).ConfigureAwait(false);
        if (_cache?.TryLoad(genesis, spec) is { } cached)
        {
            return new ChainRuntime(spec, cached);
        }

        var (bytes, metadata) = await FetchMetadataAsync(block, cancellationToken).ConfigureAwait(false);
        _cache?.Store(genesis, spec, bytes);
        return new ChainRuntime(spec, metadata);
    }

    /// <summary>
    /// V15 through <c>Metadata_metadata_at_version</c>, else V14 from <c>state_getMetadata</c>; asked at the block that
    /// carries the runtime (B's parent), then at B. Metadata is used only when the spec version it declares is the one
    /// the node reported for the block, so a node that answers for the wrong block cannot mislead the decoder.
    /// </summary>
    private async Task<(byte[] Bytes, RuntimeMetadata Metadata)> FetchMetadataAsync(BlockRef block, CancellationToken cancellationToken)
    {
        // Last, with no block at all (the node's best): a node serving one block's recording may hold it only so,
        // and the spec check below refuses it unless it is the right runtime.
        string?[] places = block.Number == 0 ? [block.Hash, null] : [block.ParentHash, block.Hash, null];
        var refused = new List<string>();
        foreach (var fetch in new Func<string?, Task<byte[]>>[]
        {
            at => Rpc.StateCallAsync("Metadata_metadata_at_version", MetadataV15, at, cancellationToken),
            at => Rpc.GetMetadataAsync(at, cancellationToken),
        })
        {
            foreach (var at in places)
            {
                byte[] bytes;
                try
                {
                    bytes = await fetch(at).ConfigureAwait(false);
                }
                catch (ChainRpcException e) when (e.Failure is ChainRpcFailure.NodeError or ChainRpcFailure.BadAnswer)
                {
                    // Runtimes before the Metadata API's version 2 do not know the V15 call; try the next way.
                    refused.Add(e.Message);
                    continue;
                }

                if (bytes is [0])
                {
                    refused.Add($"Metadata_metadata_at_version at {at ?? "the best block"}: the runtime has no V15 metadata");
                    continue;
                }

                var metadata = RuntimeMetadata.Parse(bytes);
                if (metadata.DeclaredSpecVersion() is { } declared && declared != block.SpecVersion)
                {
                    refused.Add($"metadata at {at ?? "the best block"} is of spec {declared}, not {block.SpecVersion}");
                    continue;
                }

                return (bytes, metadata);
            }
        }

        throw new ChainMetadataException(
            $"no metadata of spec {block.SpecVersion} for block {block.Number}: {string.Join("; ", refused)}");
    }

    private async Task<string> GenesisAsync(CancellationToken cancellationToken)
    {
        if (_genesis is { } known)
        {
            return known;
        }

        await _genesisLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                return _genesis ??= await Rpc.GetBlockHashAsync(0, cancellationToken).ConfigureAwait(false);
            }
            catch (ChainRpcException e) when (e.Failure is ChainRpcFailure.NodeError or ChainRpcFailure.BadAnswer)
            {
                // A node that will not name its genesis (a partial replay) still gets a cache, under a name of its own.
                return _genesis = "unnamed-chain";
            }
        }
        finally
        {
            _genesisLock.Release();
        }
    }
}

/// <summary>Bytes the node returned that do not decode with the block's runtime metadata; names the item, block and spec.</summary>
public sealed class ChainDecodeException(string message, Exception inner) : Exception(message, inner);
