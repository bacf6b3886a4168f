using System.Text;
using System.Text.Json.Nodes;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>
/// The bad-input corpus (<c>bad-inputs.json</c>: malformed JSON, wrong types and ranges, broken addresses, rule
/// violations, invalid UTF-8, lines too long), through the built executable: each case is refused on its own line with
/// <c>FILE:LINE: field: reason</c>, exit 2, no stack trace, and nothing of it is appended.
/// </summary>
public sealed class BadInputCorpusTests
{
    /// <summary>The first 12 lines of the sample chain: a network, subnet 1 and three neurons, up to block 5.</summary>
    private const int PrefixLines = 12;

    private static readonly Lazy<Task<string>> Database = new(async () =>
    {
        var db = await PostgresServer.CreateDatabaseAsync("bad_input_corpus");
        var file = await WriteAsync("prefix", []);
        var run = await ExecutableTests.RunAsync("import", file, "--connection", db);
        run.ExitCode.ShouldBe(0, run.Error);
        return db;
    });

    private sealed record CorpusCase(string Name, byte[] Line, string Expect);

    private static List<CorpusCase> Corpus()
    {
        var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Import", "bad-inputs.json")))!.AsArray()
            .Select(c => new CorpusCase(
                c!["name"]!.GetValue<string>(),
                c["line"] is { } line ? Encoding.UTF8.GetBytes(line.GetValue<string>()) : Convert.FromHexString(c["hex"]!.GetValue<string>()),
                c["expect"]!.GetValue<string>()))
            .ToList();

        // Cases too big to keep in a file, made here.
        const string hotkey = "5GmDPQGAYyECZiqoumKyqWRfrwGApCe6jboX2xafnJHn5Ak4";
        const string coldkey = "5DU7shc9CrnubhQBtdo43aEb8o1c5fsiAF1c5PqSkB1nfKxW";
        string Stake(string coldkeyText) =>
            $"{{\"type\":\"stake_added\",\"block\":12,\"coldkey\":\"{coldkeyText}\",\"hotkey\":\"{hotkey}\",\"netuid\":1,\"alpha\":1000,\"tao_paid\":50}}";
        cases.Add(new("coldkey of 100,000 characters", Encoding.UTF8.GetBytes(Stake(new string('5', 100_000))),
            "coldkey: not a valid SS58 address: is 100000 characters; an SS58 account address has at most 50"));
        var huge = Stake(coldkey)[..^1] + ",\"memo\":\"" + new string('x', 3 << 20) + "\"}";
        cases.Add(new("a line of 3 MiB", Encoding.UTF8.GetBytes(huge), $"line: is {huge.Length} bytes; a line is at most 1048576 bytes"));
        return cases;
    }

    public static TheoryData<string> StoppingCases() =>
    [
        "not JSON", "unknown type", "negative block", "hotkey checksum", "netuid unknown subnet", "unstake more than staked",
        "weights length mismatch", "invalid UTF-8 in hotkey", "overlong encoding in id", "deeply nested value",
        "network started twice", "coldkey of 100,000 characters", "a line of 3 MiB",
    ];

    [Fact]
    public async Task The_corpus_has_at_least_forty_distinct_cases()
    {
        var cases = Corpus();

        cases.Count.ShouldBeGreaterThanOrEqualTo(40);
        cases.Select(c => c.Name).Distinct().Count().ShouldBe(cases.Count);
        cases.Select(c => Convert.ToHexString(c.Line)).Distinct().Count().ShouldBe(cases.Count);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task SkipInvalid_refuses_every_case_on_its_own_line_and_appends_none_of_them()
    {
        var db = await Database.Value;
        var cases = Corpus();
        var file = await WriteAsync("all", cases);
        var rejected = file + ".rejected";
        var before = await EventsAsync(db);

        var run = await ExecutableTests.RunAsync("import", file, "--skip-invalid", "--rejected", rejected, "--connection", db);

        run.ExitCode.ShouldBe(2, run.Error);
        run.Error.ShouldNotContain("   at ");
        (await EventsAsync(db)).ShouldBe(before);
        var lines = File.ReadAllLines(rejected).Select(l => JsonNode.Parse(l)!).ToDictionary(r => r["line"]!.GetValue<long>());
        lines.Count.ShouldBe(cases.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            var entry = lines[PrefixLines + 1 + i];
            $"{entry["field"]!.GetValue<string>()}: {entry["reason"]!.GetValue<string>()}".ShouldStartWith(cases[i].Expect, Case.Sensitive, cases[i].Name);
        }
    }

    [Theory]
    [MemberData(nameof(StoppingCases))]
    public async Task Each_case_stops_the_import_with_one_line_naming_it(string name)
    {
        var db = await Database.Value;
        var bad = Corpus().Single(c => c.Name == name);
        var file = await WriteAsync(name, [bad]);
        var before = await EventsAsync(db);

        var run = await ExecutableTests.RunAsync("import", file, "--connection", db);

        run.ExitCode.ShouldBe(2, run.Error);
        run.Error.ShouldContain($"{file}:{PrefixLines + 1}: {bad.Expect}");
        run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains(file, StringComparison.Ordinal)).ShouldBe(1);
        run.Error.ShouldNotContain("   at ");
        run.Error.ShouldNotContain("Exception");
        (await EventsAsync(db)).ShouldBe(before);
    }

    /// <summary>The sample's first lines (already in the database: re-importing them appends nothing), then the cases.</summary>
    private static async Task<string> WriteAsync(string name, IReadOnlyList<CorpusCase> cases)
    {
        var sample = Path.Combine(ExecutableTests.RepositoryRoot(), "samples", "sample-chain.ndjson");
        var path = Path.Combine(Path.GetTempPath(), $"ledger-corpus-{Guid.NewGuid():N}-{new string([.. name.Where(char.IsAsciiLetterOrDigit)])}.ndjson");
        await using var output = File.Create(path);
        foreach (var line in File.ReadLines(sample).Take(PrefixLines))
        {
            await output.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        }

        foreach (var c in cases)
        {
            await output.WriteAsync(c.Line);
            await output.WriteAsync("\n"u8.ToArray());
        }

        return path;
    }

    private static async Task<long> EventsAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from ledger.mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
