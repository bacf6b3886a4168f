using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Storage;

namespace Bittensor.Ledger.Chain.Bench;

/// <summary>One recorded RPC answer: the JSON text a node sends, its hex, the SCALE bytes, and how many items they hold.</summary>
public sealed record RecordedAnswer(string Json, string Hex, byte[] Scale, int Items, string ItemName);

/// <summary>
/// The mainnet recordings in <c>shared/fixtures/chain</c> (found by walking up from the binaries, as the tests do), cut
/// into the answers the benchmarks decode.
/// </summary>
public static class ChainFixtures
{
    private const string SystemEventsKey = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7";
    private const string Block7959635 = "0x81617dc8ede17528d8f8aab64c84285a166f73e120ff6d2acd11e3419a95abec";
    private const string Block6553223 = "0x2830271e820b419253b79cbafea83f726354bbef26eb318835ffa774288de9ff";

    private static readonly Lazy<JsonNode> Sdk = new(() => Json("sdk-recordings.json"));

    public static string Directory => Tests.Fixtures.ChainDirectory;

    /// <summary>The <c>Metadata_metadata_at_version(15)</c> answer of spec 393 (the events' runtime).</summary>
    public static RecordedAnswer Spec393Metadata() => FromHexText(HexFile("metadata-spec393-v15-at-version.hex"), 0, "types");

    public static RuntimeMetadata Spec393() => RuntimeMetadata.Parse(Spec393Metadata().Scale);

    public static RuntimeMetadata Spec343V14() => RuntimeMetadata.Parse(FromHex(HexFile("metadata-spec343-v14.hex")));

    public static RuntimeMetadata Spec343V15() => RuntimeMetadata.Parse(FromHex(HexFile("metadata-spec343-v15-at-version.hex")));

    /// <summary><c>state_getStorageAt(System.Events, block 7,959,635)</c>: 182 event records.</summary>
    public static RecordedAnswer SystemEvents()
    {
        var recordings = Json("block-7959635-recordings.json");
        var hex = Recorded(recordings, "state_getStorageAt", $"[\"{SystemEventsKey}\", \"{Block7959635}\"]");
        return FromHexText(hex, 182, "records");
    }

    /// <summary><c>state_getStorageAt(SubtensorModule.LastUpdate(1), block 6,553,223)</c>: a Vec&lt;u64&gt; of 1024.</summary>
    public static RecordedAnswer LastUpdate(RuntimeMetadata spec343V14)
    {
        var keys = new StorageKeys(spec343V14);
        var key = "0x" + Convert.ToHexStringLower(keys.KeyFromText(spec343V14.Storage("SubtensorModule", "LastUpdate"), ["1"]));
        var hex = Recorded(Sdk.Value["blocks_since_last_update"]!, "state_getStorageAt", $"[\"{key}\", \"{Block6553223}\"]");
        return FromHexText(hex, 1024, "u64");
    }

    /// <summary><c>state_call SubnetInfoRuntimeApi_get_selective_mechagraph</c> of SN1 at block 6,852,690: 1024 uids.</summary>
    public static RecordedAnswer Mechagraph()
    {
        var (_, answer) = Sdk.Value["metagraph"]!["state_call"]!.AsObject()
            .Single(p => p.Key.Contains("get_selective_mechagraph", StringComparison.Ordinal));
        return FromHexText(answer!["result"]!.GetValue<string>(), 1024, "uids");
    }

    /// <summary>The answer as a node sends it: <c>{"jsonrpc":"2.0","id":1,"result":"0x…"}</c>.</summary>
    public static RecordedAnswer FromHexText(string hex, int items, string itemName) =>
        new($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"{hex}\"}}", hex, FromHex(hex), items, itemName);

    // Finding the fixtures and reading recordings is the tests' Fixtures (linked into this project), not a copy.
    private static string HexFile(string name) => File.ReadAllText(Tests.Fixtures.ChainFile(name)).Trim();

    private static JsonNode Json(string name) => Tests.Fixtures.Json(name);

    private static byte[] FromHex(string hex) => Tests.Fixtures.FromHex(hex);

    private static string Recorded(JsonNode recordings, string method, string paramsJson) =>
        Tests.Fixtures.Recorded(recordings, method, paramsJson)?.GetValue<string>()
            ?? throw new InvalidDataException($"{method} {paramsJson} recorded no value");
}
