using System.Text.RegularExpressions;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Storage;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Decoding;

/// <summary>
/// The research tables beside chain-adapter.md were decoded from the spec-343 metadata by another decoder: every
/// storage item's modifier, hashers, prefix and default, and every SubtensorModule event's index, name and arity.
/// </summary>
public sealed partial class ResearchTablesTests
{
    private static readonly Lazy<RuntimeMetadata> Spec343 = new(() => RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec343-v14.hex")));

    private static string Research(string file) =>
        Path.Combine(Fixtures.ChainDirectory, "..", "..", "research", file);

    [Fact]
    public void Every_storage_item_of_spec_343_has_the_tabled_modifier_hashers_prefix_and_default()
    {
        var keys = new StorageKeys(Spec343.Value);
        var lines = File.ReadAllLines(Research("storage-spec343.txt")).Where(l => l.Length > 0).ToList();

        lines.Count.ShouldBeGreaterThan(200);
        foreach (var line in lines)
        {
            var columns = line.Split('\t');
            var (pallet, item) = (columns[0][..columns[0].IndexOf('.', StringComparison.Ordinal)], columns[0][(columns[0].IndexOf('.', StringComparison.Ordinal) + 1)..]);
            var entry = Spec343.Value.Storage(pallet, item);

            (entry.IsOptional ? "Opt" : "Def").ShouldBe(columns[1], columns[0]);
            var hashers = HasherPattern().Matches(columns[2]).Select(m => m.Groups[1].Value).ToList();
            entry.Hashers.Select(h => h.ToString()).ShouldBe(hashers, columns[0]);
            ("0x" + Convert.ToHexStringLower(keys.Prefix(entry))).ShouldBe(columns[3], columns[0]);
            // The table shows at most the first 20 bytes of a default.
            var tabled = columns[4]["default=0x".Length..];
            var actual = Convert.ToHexStringLower(entry.Default);
            if (tabled.Length == 40)
            {
                actual.ShouldStartWith(tabled, Case.Sensitive, columns[0]);
            }
            else
            {
                actual.ShouldBe(tabled, columns[0]);
            }
        }
    }

    [Fact]
    public void Every_SubtensorModule_event_of_spec_343_has_the_tabled_index_name_and_arity()
    {
        var metadata = Spec343.Value;
        var pallet = metadata.FindPallet("SubtensorModule")!;
        var events = (VariantDef)metadata.Types[pallet.EventType!.Value].Def;
        // A long signature wraps onto the next line: join it back.
        var lines = new List<string>();
        foreach (var line in File.ReadAllLines(Research("events-spec343.txt")).Where(l => l.Length > 0))
        {
            if (line.StartsWith("7/", StringComparison.Ordinal))
            {
                lines.Add(line);
            }
            else
            {
                lines[^1] += line;
            }
        }


        lines.Count.ShouldBeGreaterThan(100);
        foreach (var line in lines)
        {
            var match = EventPattern().Match(line);
            match.Success.ShouldBeTrue(line);
            var variant = events.ByIndex(byte.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ShouldNotBeNull(line);
            variant.Name.ShouldBe(match.Groups[2].Value, line);
            var fields = match.Groups[3].Value;
            variant.Fields.Count.ShouldBe(fields.Length == 0 ? 0 : TopLevelCommas(fields) + 1, line);
        }
    }

    private static int TopLevelCommas(string text)
    {
        var (depth, commas) = (0, 0);
        foreach (var c in text)
        {
            depth += c is '(' or '<' or '[' ? 1 : c is ')' or '>' or ']' ? -1 : 0;
            commas += c == ',' && depth == 0 ? 1 : 0;
        }

        return commas;
    }

    [GeneratedRegex(@"(Blake2_128Concat|Blake2_128|Blake2_256|Twox128|Twox256|Twox64Concat|Identity)\(")]
    private static partial Regex HasherPattern();

    [GeneratedRegex(@"^7/(\d+) (\w+)(?:\((.*)\))?$")]
    private static partial Regex EventPattern();
}
