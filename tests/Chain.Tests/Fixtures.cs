using System.Text.Json.Nodes;

namespace Bittensor.Ledger.Chain.Tests;

/// <summary>The real mainnet recordings in <c>shared/fixtures/chain</c>, found by walking up from the test binaries.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string> Dir = new(Find);

    /// <summary>The absolute path of <c>shared/fixtures/chain</c>.</summary>
    public static string ChainDirectory => Dir.Value;

    /// <summary>The absolute path of one fixture file, e.g. <c>block-7959635-recordings.json</c>.</summary>
    public static string ChainFile(string name) => Path.Combine(ChainDirectory, name);

    /// <summary>The <c>System.Events</c> storage key (<c>twox128("System") ‖ twox128("Events")</c>).</summary>
    public const string SystemEventsKey = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7";

    /// <summary>Mainnet block 7,959,635 (spec 393), the recorded epoch block.</summary>
    public const string Block7959635 = "0x81617dc8ede17528d8f8aab64c84285a166f73e120ff6d2acd11e3419a95abec";

    /// <summary>The recorded <c>System.Events</c> value of block 7,959,635: 182 records.</summary>
    public static byte[] SystemEvents7959635() =>
        FromHex(Recorded(Json("block-7959635-recordings.json"), "state_getStorageAt", $"[\"{SystemEventsKey}\", \"{Block7959635}\"]")!.GetValue<string>());

    /// <summary>A <c>0x</c>-hex file (the metadata recordings) as bytes.</summary>
    public static byte[] HexFile(string file) => FromHex(File.ReadAllText(ChainFile(file)).Trim());

    public static JsonNode Json(string file) =>
        JsonNode.Parse(File.ReadAllText(ChainFile(file))) ?? throw new InvalidDataException($"{file} is JSON null");

    public static byte[] FromHex(string hex) =>
        Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);

    /// <summary>The recorded result of <paramref name="method"/> with these params (JSON text as recorded).</summary>
    public static JsonNode? Recorded(JsonNode recordings, string method, string paramsJson)
    {
        var byParams = recordings[method]?.AsObject()
            ?? throw new KeyNotFoundException($"no recordings of {method}");
        var wanted = JsonNode.Parse(paramsJson);
        foreach (var (key, value) in byParams)
        {
            if (JsonNode.DeepEquals(JsonNode.Parse(key), wanted))
            {
                return value?["result"];
            }
        }

        throw new KeyNotFoundException($"no recording of {method} {paramsJson}");
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "chain");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"shared/fixtures/chain was not found above {AppContext.BaseDirectory}; the repository must sit beside shared/");
    }
}
