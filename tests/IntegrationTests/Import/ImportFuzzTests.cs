using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using CsCheck;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>
/// Random mutations of valid sample lines — bytes flipped, fields removed or duplicated, numbers pushed past their
/// range, strings made invalid UTF-8 — never crash the parser or the importer, never append part of a bad batch, and
/// always name the line. Bounded: a few thousand lines through the codec, three mutated files through the executable.
/// </summary>
public sealed partial class ImportFuzzTests
{
    /// <summary>Lines 1..280 of the sample: a valid history through the first epoch of subnet 1 (line 283 is its trigger).</summary>
    private const int BaseLines = 280;

    private const int Protected = 12;

    private static readonly Lazy<string[]> Sample = new(() =>
        [.. File.ReadLines(Path.Combine(ExecutableTests.RepositoryRoot(), "samples", "sample-chain.ndjson")).Take(BaseLines)]);

    private sealed record Mutation(int Line, int Kind, int Position, byte Value);

    private static readonly Gen<Mutation> Mutations =
        from line in Gen.Int[Protected, BaseLines - 1]
        from kind in Gen.Int[0, 4]
        from position in Gen.Int[0, int.MaxValue]
        from value in Gen.Byte[1, 255]
        select new Mutation(line, kind, position, value);

    [Fact]
    public void The_codec_never_throws_and_always_names_a_field()
    {
        Mutations.Sample(m =>
        {
            var line = Mutate(Sample.Value[m.Line], m);
            if (NdjsonCodec.TryParse(line, out var parsed, out var error))
            {
                // A mutation may leave a valid event; its shape check must not throw either.
                _ = EventShape.Validate(parsed.Event);
            }
            else
            {
                error.ShouldNotBeNull();
                error.Field.ShouldNotBeNullOrWhiteSpace();
                error.Reason.ShouldNotBeNullOrWhiteSpace();
            }
        }, iter: 3000, seed: "0N0XIzNsQ0O2");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_mutated_file_is_imported_up_to_the_batch_before_its_first_bad_line(int seed)
    {
        // The same five mutation kinds, drawn from a seeded Random so each file is fixed and its failure reproducible.
        var rng = new Random(seed);
        var lines = Sample.Value.Select(Encoding.UTF8.GetBytes).ToArray();
        for (var i = 0; i < 20; i++)
        {
            var m = new Mutation(rng.Next(Protected, BaseLines), rng.Next(0, 5), rng.Next(), (byte)rng.Next(1, 256));
            lines[m.Line] = Mutate(Sample.Value[m.Line], m);
        }

        var file = Path.Combine(Path.GetTempPath(), $"ledger-fuzz-{seed}-{Guid.NewGuid():N}.ndjson");
        await File.WriteAllBytesAsync(file, [.. lines.SelectMany(l => l.Append((byte)'\n'))], TestContext.Current.CancellationToken);
        const int batch = 25;

        // With --skip-invalid: every bad line is named, the rest is appended.
        var skipDb = await PostgresServer.CreateDatabaseAsync($"fuzz_skip_{seed}");
        var skip = await ExecutableTests.RunAsync("import", file, "--skip-invalid", "--rejected", file + ".rejected", "--batch-size", $"{batch}", "--connection", skipDb);
        skip.Error.ShouldNotContain("   at ");
        skip.Error.ShouldNotContain("Exception");
        var rejected = File.Exists(file + ".rejected")
            ? File.ReadAllLines(file + ".rejected").Select(l => JsonNode.Parse(l)!["line"]!.GetValue<long>()).ToHashSet()
            : [];
        rejected.ShouldNotBeEmpty("twenty mutations leave at least one bad line");
        skip.ExitCode.ShouldBe(2, skip.Error);
        rejected.ShouldAllBe(n => n > Protected && n <= BaseLines);

        // Without it: the import stops at the first bad line, which it names, and keeps only the batches before it.
        var stopDb = await PostgresServer.CreateDatabaseAsync($"fuzz_stop_{seed}");
        var stop = await ExecutableTests.RunAsync("import", file, "--batch-size", $"{batch}", "--connection", stopDb);
        stop.Error.ShouldNotContain("   at ");
        var first = rejected.Min();
        stop.ExitCode.ShouldBe(2, stop.Error);
        stop.Error.ShouldContain($"{file}:{first}: ");
        var kept = (first - 1) / batch * batch;
        var expected = Enumerable.Range(1, (int)kept).Count(n => !rejected.Contains(n));
        var summary = Summary().Match(stop.Output);
        summary.Success.ShouldBeTrue(stop.Output);
        (long.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(expected, stop.Output);
    }

    /// <summary>Applies one mutation to a valid line (never adding a line break, so line numbers stay put).</summary>
    private static byte[] Mutate(string line, Mutation m)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        switch (m.Kind)
        {
            case 0: // flip a byte
                {
                    var i = m.Position % bytes.Length;
                    var flipped = (byte)(bytes[i] ^ m.Value);
                    bytes[i] = flipped is (byte)'\n' or (byte)'\r' ? (byte)'?' : flipped;
                    return bytes;
                }

            case 1: // remove a field
                {
                    var obj = JsonNode.Parse(line)!.AsObject();
                    obj.Remove(obj.ElementAt(m.Position % obj.Count).Key);
                    return Encoding.UTF8.GetBytes(obj.ToJsonString());
                }

            case 2: // duplicate a field
                {
                    var obj = JsonNode.Parse(line)!.AsObject();
                    var (key, value) = obj.ElementAt(m.Position % obj.Count);
                    return Encoding.UTF8.GetBytes(line[..^1] + $",\"{key}\":{value?.ToJsonString() ?? "null"}}}");
                }

            case 3: // a number past its range
                {
                    var numbers = Number().Matches(line);
                    if (numbers.Count == 0)
                    {
                        return bytes;
                    }

                    var target = numbers[m.Position % numbers.Count];
                    string[] outOfRange = ["18446744073709551616", "-1", "1e400", "65536", "4294967296", "0.5"];
                    var replacement = outOfRange[m.Value % outOfRange.Length];
                    return Encoding.UTF8.GetBytes(line[..(target.Index + 1)] + replacement + line[(target.Index + target.Length)..]);
                }

            default: // invalid UTF-8 inside a string
                {
                    var quotes = bytes.Select((b, i) => (b, i)).Where(x => x.b == (byte)'"').Select(x => x.i).ToList();
                    var at = quotes[m.Position % quotes.Count] + 1;
                    byte[][] invalid = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]];
                    return [.. bytes[..at], .. invalid[m.Value % invalid.Length], .. bytes[at..]];
                }
        }
    }

    [GeneratedRegex(@":-?\d+")]
    private static partial Regex Number();

    [GeneratedRegex(@"appended (\d+), already present (\d+)")]
    private static partial Regex Summary();
}
