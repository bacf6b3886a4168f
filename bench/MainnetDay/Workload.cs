using System.Text;
using Bittensor.Ledger.Application.Import;

namespace Bittensor.Ledger.MainnetDay.Bench;

public sealed record EventTypeCount(string Type, long Events, long Bytes);

/// <summary>What the generated file holds: lines and bytes per event type (the cost model's denominators).</summary>
public sealed record Workload(string File, long Events, long Bytes, long Epochs, IReadOnlyList<EventTypeCount> Types)
{
    private static readonly byte[] TypePrefix = Encoding.UTF8.GetBytes("{\"type\":\"");

    public static async Task<Workload> ReadAsync(string file)
    {
        var types = new Dictionary<string, (long Events, long Bytes)>(StringComparer.Ordinal);
        long events = 0, bytes = 0;
        await using (var input = System.IO.File.OpenRead(file))
        {
            await foreach (var line in NdjsonLines.ReadAsync(input))
            {
                var type = TypeOf(line.Utf8);
                var (n, b) = types.GetValueOrDefault(type);
                types[type] = (n + 1, b + line.Utf8.Length + 1);
                events++;
                bytes += line.Utf8.Length + 1;
            }
        }

        return new Workload(file, events, bytes, types.GetValueOrDefault("epoch_triggered").Events,
            [.. types.OrderByDescending(t => t.Value.Bytes).Select(t => new EventTypeCount(t.Key, t.Value.Events, t.Value.Bytes))]);
    }

    /// <summary>The generator writes "type" first on every line.</summary>
    private static string TypeOf(byte[] line)
    {
        var utf8 = line.AsSpan();
        if (!utf8.StartsWith(TypePrefix))
        {
            return "?";
        }

        var rest = utf8[TypePrefix.Length..];
        var end = rest.IndexOf((byte)'"');
        return end > 0 ? Encoding.UTF8.GetString(rest[..end]) : "?";
    }
}
