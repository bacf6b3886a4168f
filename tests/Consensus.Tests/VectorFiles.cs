using System.Text.Json;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>The shared spec vectors, embedded as resources named "Vectors.&lt;file&gt;".</summary>
internal static class VectorFiles
{
    private const string Prefix = "Vectors.";

    public static IEnumerable<string> Names() =>
        typeof(VectorFiles).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..])
            .Order(StringComparer.Ordinal);

    public static JsonDocument Load(string name)
    {
        using var stream = typeof(VectorFiles).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new FileNotFoundException(name);
        return JsonDocument.Parse(stream);
    }

    public static string Kind(string name)
    {
        using var doc = Load(name);
        return doc.RootElement.TryGetProperty("kind", out var k) ? k.GetString() ?? "" : "";
    }

    public static TheoryData<string> OfKind(params string[] kinds)
    {
        var data = new TheoryData<string>();
        foreach (var name in Names().Where(n => kinds.Contains(Kind(n))))
        {
            data.Add(name);
        }

        return data;
    }
}
