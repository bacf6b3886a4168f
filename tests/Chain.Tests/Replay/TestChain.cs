using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;
using Bittensor.Ledger.Chain.Storage;

namespace Bittensor.Ledger.Chain.Tests.Replay;

/// <summary>
/// A one-block chain a test builds, encoded with a real runtime's metadata (spec 393 by default) and served by a
/// <see cref="ReplayNode"/>: storage by key, keys by prefix, the block's hash, header, runtime and metadata.
/// </summary>
internal sealed class TestChain
{
    public const string Genesis = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";

    private readonly SortedDictionary<string, string> _storage = new(StringComparer.Ordinal);
    private readonly string _metadataHex;

    public TestChain(long number, string metadataFile = "metadata-spec393-v15-at-version.hex", uint spec = 393)
    {
        Number = number;
        Spec = spec;
        _metadataHex = File.ReadAllText(Fixtures.ChainFile(metadataFile)).Trim();
        Metadata = RuntimeMetadata.Parse(Fixtures.FromHex(_metadataHex));
        Keys = new StorageKeys(Metadata);
        Encoder = new ValueEncoder(Metadata.Types);
    }

    public long Number { get; }

    public uint Spec { get; }

    public string Hash => HashOf(Number);

    public string ParentHash => HashOf(Number - 1);

    public RuntimeMetadata Metadata { get; }

    public StorageKeys Keys { get; }

    public ValueEncoder Encoder { get; }

    /// <summary>Stores <paramref name="value"/> (in the decoder's JSON shape) under the item's key built from text keys.</summary>
    public TestChain Put(string pallet, string item, JsonNode? value, params string[] keys)
    {
        var entry = Metadata.Storage(pallet, item);
        var key = Keys.KeyFromText(entry, keys);
        _storage[Hex(key)] = Hex(Encoder.Encode(entry.ValueType, value));
        return this;
    }

    public void ServeOn(ReplayNode node)
    {
        node.Recordings.AddResult("chain_getBlockHash", "[0]", $"\"{Genesis}\"");
        node.Recordings.AddResult("chain_getBlockHash", $"[{Number}]", $"\"{Hash}\"");
        node.Recordings.AddResult("chain_getHeader", $"[\"{Hash}\"]",
            $"{{\"parentHash\":\"{ParentHash}\",\"number\":\"0x{Number:x}\",\"stateRoot\":\"{HashOf(-2)}\",\"extrinsicsRoot\":\"{HashOf(-3)}\",\"digest\":{{\"logs\":[]}}}}");
        node.Recordings.AddResult("state_getRuntimeVersion", $"[\"{ParentHash}\"]",
            $"{{\"specName\":\"node-subtensor\",\"implName\":\"node-subtensor\",\"authoringVersion\":1,\"specVersion\":{Spec},\"implVersion\":1,\"apis\":[],\"transactionVersion\":1,\"stateVersion\":1}}");
        node.Recordings.AddResult("state_call", $"[\"Metadata_metadata_at_version\", \"0x0f000000\", \"{ParentHash}\"]", $"\"{_metadataHex}\"");
        node.Handle("state_getStorage", p => _storage.TryGetValue(p[0]!.GetValue<string>(), out var v) ? $"\"{v}\"" : "null");
        node.Handle("state_queryStorageAt", p =>
        {
            var changes = new JsonArray([.. p[0]!.AsArray().Select(k =>
                (JsonNode)new JsonArray(k!.GetValue<string>(), _storage.TryGetValue(k.GetValue<string>(), out var v) ? v : null))]);
            return new JsonArray(new JsonObject { ["block"] = Hash, ["changes"] = changes }).ToJsonString();
        });
        node.Handle("state_getKeysPaged", p =>
        {
            var prefix = p[0]!.GetValue<string>();
            var count = p[1]!.GetValue<int>();
            var after = p.Count > 2 ? p[2]?.GetValue<string>() : null;
            var keys = _storage.Keys
                .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(k, after) > 0))
                .Take(count);
            return new JsonArray([.. keys.Select(k => (JsonNode)k)]).ToJsonString();
        });
    }

    /// <summary>A deterministic 32-byte account for test uid <paramref name="i"/>.</summary>
    public static string Account(int i)
    {
        var key = new byte[32];
        key[0] = 0xa5;
        BitConverter.TryWriteBytes(key.AsSpan(1), i);
        return ValueEncoder.Address(key);
    }

    private static string HashOf(long n) => "0x" + n.ToString("x64", CultureInfo.InvariantCulture).Replace('-', 'f');

    private static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
