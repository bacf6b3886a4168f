using System.Diagnostics;
using System.Globalization;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain;

/// <summary>`--phases`: the CPU cost of each step of the import on this file, without a database, to see where
/// the time goes.</summary>
internal static class Phases
{
    public static async Task RunAsync(string file)
    {
        var lines = new List<RawLine>();
        var clock = Stopwatch.StartNew();
        await using (var input = File.OpenRead(file))
        {
            await foreach (var line in NdjsonLines.ReadAsync(input))
            {
                lines.Add(line);
            }
        }

        Report("read+split", clock, lines.Count);
        var parsed = new List<ParsedLine>(lines.Count);
        var scope = new NaturalKeyScope();
        foreach (var line in lines)
        {
            if (NdjsonCodec.TryParse(line.Utf8, out var p, out _))
            {
                parsed.Add(scope.Assign(p));
            }
        }

        Report("parse", clock, lines.Count);
        foreach (var p in parsed)
        {
            EventShape.Validate(p.Event);
        }

        Report("shape", clock, lines.Count);
        var state = new LedgerState();
        foreach (var p in parsed)
        {
            state.TryApply(p.Event, out _);
        }

        Report("check+apply", clock, lines.Count);
        using var store = LedgerStore.Create("Host=unused");
        var stored = new StoredEvents(store);
        long bytes = 0;
        foreach (var p in parsed)
        {
            bytes += stored.Json(p.Event).Length;
            StreamIds.For(p.Event);
        }

        Report("serialize+stream id", clock, lines.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stored JSON {bytes / (double)lines.Count:F0} chars/event"));
    }

    private static void Report(string phase, Stopwatch clock, int n)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phase,-22} {clock.Elapsed.TotalMilliseconds,8:F0} ms  {n / clock.Elapsed.TotalSeconds,10:F0} /s"));
        clock.Restart();
    }
}
