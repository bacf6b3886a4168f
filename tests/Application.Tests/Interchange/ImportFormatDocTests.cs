using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Domain;

namespace Bittensor.Ledger.Application.Tests.Interchange;

/// <summary>docs/import-format.md must not drift from the codec: every example line in it parses.</summary>
public class ImportFormatDocTests
{
    private static readonly string[] Doc = File.ReadAllLines(Repo.PathOf("docs/import-format.md"));

    private static List<string> FencedLines(string fence)
    {
        var lines = new List<string>();
        var inside = false;
        foreach (var line in Doc)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inside = !inside && line == fence;
                continue;
            }

            if (inside && line.Length > 0)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    [Fact]
    public void EveryExampleLine_Parses()
    {
        var lines = FencedLines("```ndjson").Concat(FencedLines("```json")).ToList();
        lines.Count.ShouldBeGreaterThan(17);
        foreach (var line in lines)
        {
            NdjsonCodec.TryParse(line, out _, out var error).ShouldBeTrue($"{line}: {error}");
        }
    }

    [Fact]
    public void EveryEventTypeBlock_CoversAllTypesAndIsAValidChain()
    {
        var state = new LedgerState();
        var types = new HashSet<string>();
        foreach (var line in FencedLines("```ndjson"))
        {
            NdjsonCodec.TryParse(line, out var parsed, out _).ShouldBeTrue(line);
            NdjsonCodec.Write(parsed!.Event).ShouldBe(line, "the example should be the codec's canonical line");
            EventShape.Validate(parsed.Event).ShouldBeNull(line);
            state.Check(parsed.Event).ShouldBeNull(line);
            state.Apply(parsed.Event);
            types.Add(parsed.Type);
        }

        types.Count.ShouldBe(17);
    }

    [Fact]
    public void ErrorExamples_MatchWhatTheCodecSays()
    {
        var errors = Doc.Where(l => l.StartsWith("chain.ndjson:", StringComparison.Ordinal)).ToList();
        errors.ShouldContain("chain.ndjson:12: uids[3]: expected an integer 0..65535");
        errors.ShouldContain("chain.ndjson:14: hotkey: not a valid SS58 address: checksum mismatch");
        NdjsonCodec.TryParse("""{"type":"foo","block":1}""", out _, out var error).ShouldBeFalse();
        errors.ShouldContain($"chain.ndjson:17: {error}");
        NdjsonCodec.TryParse("""{"type":"epoch_triggered","block":1,"netuid":1,"bar":2}""", out _, out error).ShouldBeFalse();
        errors.ShouldContain($"chain.ndjson:18: {error}");
    }
}
