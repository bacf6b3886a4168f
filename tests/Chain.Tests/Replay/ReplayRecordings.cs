using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bittensor.Ledger.Chain.Tests.Replay;

/// <summary>
/// Recorded JSON-RPC answers keyed by method and params. Params are compared in a canonical form, so spacing,
/// hex case, trailing null params (an omitted "at" hash) and a <c>state_call</c> argument written without
/// <c>0x</c> do not matter; <c>state_getStorageAt</c> is the same method as <c>state_getStorage</c>.
/// </summary>
public sealed class ReplayRecordings
{
    private static readonly ConcurrentDictionary<string, JsonElement> Files = new();
    private readonly ConcurrentDictionary<string, JsonElement> _answers = new();

    /// <summary>How many (method, params) answers are held.</summary>
    public int Count => _answers.Count;

    /// <summary>Loads a <c>{method: {json(params): response}}</c> file such as <c>block-7959635-recordings.json</c>.</summary>
    public static ReplayRecordings FromFile(string path) => new ReplayRecordings().AddMethods(ReadFile(path));

    /// <summary>Loads one test's section of a <c>{test: {method: {json(params): response}}}</c> file (sdk-recordings.json).</summary>
    public static ReplayRecordings FromSection(string path, string section)
    {
        var root = ReadFile(path);
        if (!root.TryGetProperty(section, out var methods))
            throw new KeyNotFoundException($"{Path.GetFileName(path)} has no section '{section}'");
        return new ReplayRecordings().AddMethods(methods);
    }

    /// <summary>Adds every answer of a <c>{method: {json(params): response}}</c> object.</summary>
    public ReplayRecordings AddMethods(JsonElement methods)
    {
        foreach (var method in methods.EnumerateObject())
        {
            foreach (var entry in method.Value.EnumerateObject())
                _answers.TryAdd(Key(method.Name, JsonNode.Parse(entry.Name)), entry.Value.Clone());
        }
        return this;
    }

    /// <summary>Adds (or replaces) a whole response object, e.g. <c>{"result": …}</c> or <c>{"error": …}</c>.</summary>
    public ReplayRecordings AddResponse(string method, string paramsJson, string responseJson)
    {
        using var doc = JsonDocument.Parse(responseJson);
        _answers[Key(method, JsonNode.Parse(paramsJson))] = doc.RootElement.Clone();
        return this;
    }

    /// <summary>Adds (or replaces) an answer whose result is <paramref name="resultJson"/> (JSON text, e.g. <c>"\"0x01\""</c>).</summary>
    public ReplayRecordings AddResult(string method, string paramsJson, string resultJson) =>
        AddResponse(method, paramsJson, $"{{\"result\":{resultJson}}}");

    /// <summary>Finds the recorded response object for a request.</summary>
    public bool TryFind(string method, JsonNode? parameters, out JsonElement response) =>
        _answers.TryGetValue(Key(method, parameters), out response);

    /// <summary>The canonical text of a request's params, as the lookup compares it.</summary>
    public static string Canonical(string method, JsonNode? parameters)
    {
        var items = parameters is JsonArray array ? array.Select(p => p?.DeepClone()).ToList() : [];
        while (items.Count > 0 && items[^1] is null)
            items.RemoveAt(items.Count - 1);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is JsonValue v && v.TryGetValue<string>(out var s))
                items[i] = JsonValue.Create(CanonicalString(s, hexArgument: method == "state_call" && i == 1));
            else if (items[i] is JsonArray inner)
                items[i] = new JsonArray([.. inner.Select(x => x is JsonValue iv && iv.TryGetValue<string>(out var t)
                    ? JsonValue.Create(CanonicalString(t, hexArgument: false))
                    : x?.DeepClone())]);
        }
        return new JsonArray([.. items]).ToJsonString();
    }

    private static string CanonicalString(string s, bool hexArgument)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return s.ToLowerInvariant();
        return hexArgument ? "0x" + s.ToLowerInvariant() : s;
    }

    private static string Key(string method, JsonNode? parameters)
    {
        var name = method == "state_getStorageAt" ? "state_getStorage" : method;
        return name + " " + Canonical(name, parameters);
    }

    private static JsonElement ReadFile(string path) =>
        Files.GetOrAdd(Path.GetFullPath(path), p =>
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(p));
            return doc.RootElement.Clone();
        });
}
