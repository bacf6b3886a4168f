using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Tests;
using Bittensor.Ledger.Chain.Tests.Replay;

namespace Bittensor.Ledger.ChainSync.Bench;

/// <summary>
/// Serves a <see cref="SubnetDay"/> on a loopback <see cref="ReplayNode"/> (127.0.0.1): block hashes, headers and the
/// runtime (spec 393) computed from the block number; System.Events from the day's pre-encoded lists; storage at an
/// epoch block B and at B−1 from that epoch's 2-block chain, routed by the block hash in the params; a validator's
/// Weights row at any other block from its submissions. Everything else reads as absent. Counts the requests by method
/// and by the block they concern, and the time spent in the handlers (the node's own work, without Kestrel's).
/// </summary>
internal sealed class DayNode : IAsyncDisposable
{
    private static readonly FieldInfo StorageField = typeof(TestChain).GetField("_storage", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException("TestChain._storage is gone: the bench reads each epoch chain's storage by block through it");

    private readonly SubnetDay _day;
    private readonly ReplayNode _node;
    private readonly Dictionary<long, SortedDictionary<string, string>> _epochStorage = [];
    private readonly HashSet<long> _epochBlocks;
    private readonly string _metadataHex;
    private readonly ConcurrentDictionary<string, int> _byMethod = new();
    private long _handlerTicks;
    private long _epochRequests;
    private long _plainRequests;
    private long _otherRequests;

    private DayNode(SubnetDay day, ReplayNode node)
    {
        _day = day;
        _node = node;
        _epochBlocks = [.. day.EpochBlocks];
        foreach (var chain in day.Epochs)
        {
            var storage = (Dictionary<long, SortedDictionary<string, string>>)StorageField.GetValue(chain)!;
            _epochStorage[chain.Number - 1] = storage[chain.Number - 1];
            _epochStorage[chain.Number] = storage[chain.Number];
        }

        _metadataHex = File.ReadAllText(Fixtures.ChainFile("metadata-spec393-v15-at-version.hex")).Trim();
    }

    public Uri Url => _node.Url;

    public TimeSpan HandlerTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _handlerTicks));

    public IReadOnlyDictionary<string, int> ByMethod => _byMethod;

    /// <summary>Requests about an epoch block B or its parent B−1 (the epoch's reads and those blocks' own).</summary>
    public long EpochRequests => Interlocked.Read(ref _epochRequests);

    /// <summary>Requests about any other block of the day.</summary>
    public long PlainRequests => Interlocked.Read(ref _plainRequests);

    /// <summary>Requests about no block (the head, the chain's name, the genesis hash).</summary>
    public long OtherRequests => Interlocked.Read(ref _otherRequests);

    public int Answers => _node.Answers;

    /// <summary>How long the node waits before each answer (a network round trip to a real node; 0 on loopback).</summary>
    public TimeSpan AnswerDelay
    {
        get => _node.AnswerDelay;
        set => _node.AnswerDelay = value;
    }

    public static async Task<DayNode> StartAsync(SubnetDay day)
    {
        var node = new DayNode(day, await ReplayNode.StartAsync());
        node.Install();
        return node;
    }

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    private void Install()
    {
        const string runtime = "{\"specName\":\"node-subtensor\",\"implName\":\"node-subtensor\",\"authoringVersion\":1,\"specVersion\":393,\"implVersion\":1,\"apis\":[],\"transactionVersion\":1,\"stateVersion\":1}";
        Handle("system_chain", _ => (null, "\"Bittensor bench\""));
        Handle("chain_getFinalizedHead", _ => (null, Quoted(TestChain.HashOf(_day.To))));
        Handle("chain_getBlockHash", p =>
        {
            var n = p[0]!.GetValue<long>();
            return (n == 0 ? null : n, Quoted(n == 0 ? TestChain.Genesis : TestChain.HashOf(n)));
        });
        Handle("chain_getHeader", p =>
        {
            var n = p.Count > 0 && p[0] is { } hash ? Number(hash) : _day.To;
            return (n, n is null || n > _day.To
                ? "null"
                : $"{{\"parentHash\":\"{TestChain.HashOf(n.Value - 1)}\",\"number\":\"0x{n:x}\",\"stateRoot\":\"{TestChain.HashOf(-2)}\",\"extrinsicsRoot\":\"{TestChain.HashOf(-3)}\",\"digest\":{{\"logs\":[]}}}}");
        });
        // Asked at the parent: the runtime that executes block n + 1.
        Handle("state_getRuntimeVersion", p => (p.Count > 0 && p[0] is { } hash ? Number(hash) + 1 : null, runtime));
        Handle("state_call", p => (null, p[0]!.GetValue<string>() == "Metadata_metadata_at_version" ? Quoted(_metadataHex) : "null"));
        Handle("state_getStorage", p =>
        {
            var n = Number(p[1]);
            return (n, Value(p[0]!.GetValue<string>(), n) is { } v ? Quoted(v) : "null");
        });
        Handle("state_queryStorageAt", p =>
        {
            var n = Number(p[1]);
            var changes = new JsonArray([.. p[0]!.AsArray().Select(k => (JsonNode)new JsonArray(k!.GetValue<string>(), Value(k.GetValue<string>(), n)))]);
            return (n, new JsonArray(new JsonObject { ["block"] = p[1]?.GetValue<string>(), ["changes"] = changes }).ToJsonString());
        });
        Handle("state_getKeysPaged", p =>
        {
            var prefix = p[0]!.GetValue<string>();
            var count = p[1]!.GetValue<int>();
            var after = p.Count > 2 ? p[2]?.GetValue<string>() : null;
            var n = Number(p.Count > 3 ? p[3] : null);
            if (n is not { } block || !_epochStorage.TryGetValue(block, out var storage))
            {
                return (n, "[]");
            }

            // Keys in order from the first after `after`, as a node pages them.
            var keys = storage.Keys
                .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(k, after) > 0))
                .Take(count);
            return (n, new JsonArray([.. keys.Select(k => (JsonNode)k)]).ToJsonString());
        });
    }

    /// <summary>The value under <paramref name="key"/> at block <paramref name="n"/>, hex, or null when absent.</summary>
    private string? Value(string key, long? n)
    {
        if (n is not { } block)
        {
            return null;
        }

        if (key == _day.EventsKey && !_epochBlocks.Contains(block))
        {
            return _day.Events.GetValueOrDefault(block);
        }

        if (_epochStorage.TryGetValue(block, out var storage))
        {
            return storage.GetValueOrDefault(key);
        }

        return _day.WeightsKeys.TryGetValue(key, out var v) ? _day.WeightsValues[v][_day.VersionAt(v, block)] : null;
    }

    /// <summary>Installs a handler that is timed and counted by the block it concerns.</summary>
    private void Handle(string method, Func<JsonArray, (long? Block, string Answer)> answer) =>
        _node.Handle(method, p =>
        {
            var start = Stopwatch.GetTimestamp();
            var (block, text) = answer(p);
            Interlocked.Add(ref _handlerTicks, Stopwatch.GetTimestamp() - start);
            _byMethod.AddOrUpdate(method, 1, (_, c) => c + 1);
            if (block is not { } b)
            {
                Interlocked.Increment(ref _otherRequests);
            }
            else if (_epochBlocks.Contains(b) || _epochBlocks.Contains(b + 1))
            {
                Interlocked.Increment(ref _epochRequests);
            }
            else
            {
                Interlocked.Increment(ref _plainRequests);
            }

            return text;
        });

    private static long? Number(JsonNode? hash)
    {
        var text = hash?.GetValue<string>();
        return text is null || text == TestChain.Genesis ? null : long.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static string Quoted(string hex) => $"\"{hex}\"";
}
