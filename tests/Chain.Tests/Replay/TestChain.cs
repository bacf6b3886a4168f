using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;
using Bittensor.Ledger.Chain.Storage;

namespace Bittensor.Ledger.Chain.Tests.Replay;

/// <summary>
/// A chain a test builds, encoded with a real runtime's metadata (spec 393 by default) and served by a
/// <see cref="ReplayNode"/>: blocks <see cref="Number"/> − <c>history</c> … <see cref="Number"/>, each with its own storage
/// (a block starts as a copy of the one before it) and events, hashes, headers, runtime and metadata.
/// </summary>
internal sealed class TestChain
{
    public const string Genesis = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";

    private readonly Dictionary<long, SortedDictionary<string, string>> _storage = [];
    private readonly string _metadataHex;

    public TestChain(long number, string metadataFile = "metadata-spec393-v15-at-version.hex", uint spec = 393, int history = 0)
    {
        Number = number;
        First = number - history;
        for (var b = First; b <= number; b++)
        {
            _storage[b] = new SortedDictionary<string, string>(StringComparer.Ordinal);
        }

        Spec = spec;
        _metadataHex = File.ReadAllText(Fixtures.ChainFile(metadataFile)).Trim();
        Metadata = RuntimeMetadata.Parse(Fixtures.FromHex(_metadataHex));
        Keys = new StorageKeys(Metadata);
        Encoder = new ValueEncoder(Metadata.Types);
        Writing = First;
    }

    /// <summary>Writes from now on go to <paramref name="block"/> and the blocks after it.</summary>
    public TestChain At(long block)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(block, First);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(block, Number);
        Writing = block;
        return this;
    }

    /// <summary>Sets <c>System.Events</c> of the block being written: records as <c>{"phase", "event": {Pallet: {Event: fields}}}</c>.</summary>
    public TestChain Events(params JsonNode[] records)
    {
        var entry = Metadata.Storage("System", "Events");
        var list = new JsonArray([.. records.Select(r =>
        {
            var record = r.DeepClone().AsObject();
            record["topics"] ??= new JsonArray();
            return (JsonNode)record;
        })]);
        _storage[Writing][Hex(Keys.Key(entry))] = Hex(Encoder.Encode(entry.ValueType, list));
        return this;
    }

    /// <summary>The newest block; <see cref="Put"/> writes here unless <see cref="At"/> says otherwise.</summary>
    public long Number { get; }

    /// <summary>The oldest block served.</summary>
    public long First { get; }

    /// <summary>The block the next <see cref="Put"/> calls write to (and every later block, until they are written).</summary>
    public long Writing { get; private set; }

    public uint Spec { get; }

    public string Hash => HashOf(Number);

    public string ParentHash => HashOf(Number - 1);

    /// <summary>The spec of the runtime that executed each block (all <see cref="Spec"/> unless set).</summary>
    public Dictionary<long, uint> Specs { get; } = [];

    public RuntimeMetadata Metadata { get; }

    public StorageKeys Keys { get; }

    public ValueEncoder Encoder { get; }

    /// <summary>Stores <paramref name="value"/> (in the decoder's JSON shape) under the item's key built from text keys.</summary>
    public TestChain Put(string pallet, string item, JsonNode? value, params string[] keys)
    {
        var entry = Metadata.Storage(pallet, item);
        var key = Hex(Keys.KeyFromText(entry, keys));
        var encoded = Hex(Encoder.Encode(entry.ValueType, value));
        for (var b = Writing; b <= Number; b++)
        {
            _storage[b][key] = encoded;
        }

        return this;
    }

    public void ServeOn(ReplayNode node)
    {
        node.Recordings.AddResult("chain_getBlockHash", "[0]", $"\"{Genesis}\"");
        for (var b = First; b <= Number; b++)
        {
            var spec = Specs.GetValueOrDefault(b, Spec);
            node.Recordings.AddResult("chain_getBlockHash", $"[{b}]", $"\"{HashOf(b)}\"");
            node.Recordings.AddResult("chain_getHeader", $"[\"{HashOf(b)}\"]",
                $"{{\"parentHash\":\"{HashOf(b - 1)}\",\"number\":\"0x{b:x}\",\"stateRoot\":\"{HashOf(-2)}\",\"extrinsicsRoot\":\"{HashOf(-3)}\",\"digest\":{{\"logs\":[]}}}}");
            node.Recordings.AddResult("state_getRuntimeVersion", $"[\"{HashOf(b - 1)}\"]",
                $"{{\"specName\":\"node-subtensor\",\"implName\":\"node-subtensor\",\"authoringVersion\":1,\"specVersion\":{spec},\"implVersion\":1,\"apis\":[],\"transactionVersion\":1,\"stateVersion\":1}}");
            node.Recordings.AddResult("state_call", $"[\"Metadata_metadata_at_version\", \"0x0f000000\", \"{HashOf(b - 1)}\"]", $"\"{_metadataHex}\"");
        }

        node.Handle("state_getStorage", p => Storage(p[1]).TryGetValue(p[0]!.GetValue<string>(), out var v) ? $"\"{v}\"" : "null");
        node.Handle("state_queryStorageAt", p =>
        {
            var storage = Storage(p[1]);
            var changes = new JsonArray([.. p[0]!.AsArray().Select(k =>
                (JsonNode)new JsonArray(k!.GetValue<string>(), storage.TryGetValue(k.GetValue<string>(), out var v) ? v : null))]);
            return new JsonArray(new JsonObject { ["block"] = p[1]?.GetValue<string>(), ["changes"] = changes }).ToJsonString();
        });
        node.Handle("state_getKeysPaged", p =>
        {
            var prefix = p[0]!.GetValue<string>();
            var count = p[1]!.GetValue<int>();
            var after = p.Count > 2 ? p[2]?.GetValue<string>() : null;
            var keys = Storage(p.Count > 3 ? p[3] : null).Keys
                .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(k, after) > 0))
                .Take(count);
            return new JsonArray([.. keys.Select(k => (JsonNode)k)]).ToJsonString();
        });
    }

    /// <summary>The hash of block <paramref name="n"/> of this chain.</summary>
    public static string HashOf(long n) => "0x" + n.ToString("x64", CultureInfo.InvariantCulture);

    private SortedDictionary<string, string> Storage(JsonNode? hash)
    {
        var text = hash?.GetValue<string>();
        for (var b = First; b <= Number; b++)
        {
            if (text is null || text == HashOf(b))
            {
                return text is null ? _storage[Number] : _storage[b];
            }
        }

        throw new KeyNotFoundException($"the test chain has no block {text}");
    }

    /// <summary>A deterministic 32-byte account for test uid <paramref name="i"/>.</summary>
    public static string Account(int i)
    {
        var key = new byte[32];
        key[0] = 0xa5;
        BitConverter.TryWriteBytes(key.AsSpan(1), i);
        return Bittensor.Ledger.Domain.Primitives.Ss58.Encode(key);
    }


    private static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
