using System.Runtime.CompilerServices;
using System.Text.Json;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;
using static Bittensor.Ledger.IntegrationTests.Import.TestChain;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>`ledger import` and `ledger status` in-process against a real PostgreSQL, one fresh database per test.</summary>
public sealed class ImportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-import-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task SmallFile_IsImported_AndStatusShowsHandCheckedNumbers()
    {
        var db = await DatabaseAsync();
        var lines = Genesis().Select(Line).Append(Line(Weights(200, 1, 0))).Append(Line(Weights(201, 2, 1)));
        var file = await WriteAsync(_directory, "small.ndjson", lines);

        var import = await LedgerCli.RunAsync("import", file, "--connection", db);

        import.ExitCode.ShouldBe(0, import.Error);
        import.Output.ShouldContain("lines read 7, appended 7, already present 0, rejected 0");
        (await CountAsync(db, "ledger.mt_events")).ShouldBe(7);

        var status = await LedgerCli.RunAsync("status", "--connection", db, "--json");
        status.ExitCode.ShouldBe(0, status.Error);
        using var json = JsonDocument.Parse(status.Output);
        json.RootElement.GetProperty("events").GetInt64().ShouldBe(7);
        var subnet = json.RootElement.GetProperty("subnets").EnumerateArray().ShouldHaveSingleItem();
        // Subnet 1: two neurons registered at block 2, weights from both at blocks 200 and 201 (past the rate limit counted from registration), one stake of 1000 rao.
        subnet.GetProperty("netuid").GetInt32().ShouldBe(1);
        subnet.GetProperty("neurons").GetInt64().ShouldBe(2);
        subnet.GetProperty("latest_block").GetUInt64().ShouldBe(201UL);
        subnet.GetProperty("weight_submissions").GetInt64().ShouldBe(2);
        subnet.GetProperty("total_stake").GetUInt64().ShouldBe(1_000UL);

        var table = await LedgerCli.RunAsync("status", "--connection", db);
        table.ExitCode.ShouldBe(0, table.Error);
        table.Output.ShouldContain("weight submissions");
        table.Output.ShouldContain("1 subnets, 7 events");
    }

    [Fact]
    public async Task ReimportingTheSameFile_AppendsNothing()
    {
        var db = await DatabaseAsync();
        var file = await WriteAsync(_directory, "twice.ndjson", Genesis().Select(Line).Append(Line(Weights(200, 1, 0))));

        (await LedgerCli.RunAsync("import", file, "--connection", db, "--batch-size", "2")).ExitCode.ShouldBe(0);
        var again = await LedgerCli.RunAsync("import", file, "--connection", db, "--batch-size", "2");

        again.ExitCode.ShouldBe(0, again.Error);
        again.Output.ShouldContain("appended 0, already present 6, rejected 0");
        (await CountAsync(db, "ledger.mt_events")).ShouldBe(6);
        (await CountAsync(db, "ledger.ledger_natural_keys")).ShouldBe(6);
    }

    [Fact]
    public async Task ImportOfAGrownFile_AppendsOnlyTheNewLines()
    {
        var db = await DatabaseAsync();
        var first = Genesis().Select(Line).ToArray();
        var grown = first.Append(Line(Weights(200, 1, 0))).Append(Line(Weights(201, 2, 1))).ToArray();
        var file = await WriteAsync(_directory, "first.ndjson", first);
        (await LedgerCli.RunAsync("import", file, "--connection", db)).ExitCode.ShouldBe(0);

        var again = await LedgerCli.RunAsync("import", await WriteAsync(_directory, "grown.ndjson", grown), "--connection", db, "--batch-size", "3");

        again.ExitCode.ShouldBe(0, again.Error);
        again.Output.ShouldContain("lines read 7, appended 2, already present 5, rejected 0");
        (await CountAsync(db, "ledger.mt_events")).ShouldBe(7);
    }

    [Fact]
    public async Task IdenticalLinesInOneBlock_AreDistinctFacts()
    {
        var db = await DatabaseAsync();
        var stake = Line(Genesis()[4]);
        var file = await WriteAsync(_directory, "repeat.ndjson", Genesis().Select(Line).Append(stake));

        var import = await LedgerCli.RunAsync("import", file, "--connection", db);

        import.ExitCode.ShouldBe(0, import.Error);
        import.Output.ShouldContain("appended 6, already present 0");
        var status = await LedgerCli.RunAsync("status", "--connection", db, "--json");
        status.Output.ShouldContain("\"total_stake\": 2000");
    }

    [Fact]
    public async Task BadSs58HotkeyOnLine3_IsReported_AndNothingOfItsBatchIsAppended()
    {
        var db = await DatabaseAsync();
        var lines = Genesis().Select(Line).ToArray();
        var hotkey = Hot(1).Address;
        lines[2] = lines[2].Replace(hotkey, hotkey[..^1] + (hotkey[^1] == 'a' ? 'b' : 'a'), StringComparison.Ordinal);
        var file = await WriteAsync(_directory, "bad-key.ndjson", lines);

        var import = await LedgerCli.RunAsync("import", file, "--connection", db);

        import.ExitCode.ShouldBe(2);
        import.Error.ShouldStartWith($"{file}:3: hotkey: ");
        (await CountAsync(db, "ledger.mt_events")).ShouldBe(0);
        (await CountAsync(db, "ledger.ledger_natural_keys")).ShouldBe(0);
    }

    [Fact]
    public async Task WeightsFromAnUnregisteredHotkey_IsARuleViolation_AndNothingOfItsBatchIsAppended()
    {
        var db = await DatabaseAsync();
        // Batches of 2: lines 1-2 commit, the batch of lines 3-4 fails at line 4 and is not appended.
        var lines = Genesis().Take(3).Select(Line).Append(Line(Weights(200, 9, 0))).Append(Line(Genesis()[3]));
        var file = await WriteAsync(_directory, "unregistered.ndjson", lines);

        var import = await LedgerCli.RunAsync("import", file, "--connection", db, "--batch-size", "2");

        import.ExitCode.ShouldBe(2);
        import.Error.ShouldStartWith($"{file}:4: hotkey: hotkey {Hot(9).Address} is not registered on subnet 1");
        (await CountAsync(db, "ledger.mt_events")).ShouldBe(2);
        (await CountAsync(db, "ledger.subnet_status")).ShouldBe(1);
        var status = await LedgerCli.RunAsync("status", "--connection", db, "--json");
        status.Output.ShouldContain("\"neurons\": 0");
    }

    [Fact]
    public async Task SkipInvalid_WritesRejectedLinesToTheSideFile_AndGoesOn()
    {
        var db = await DatabaseAsync();
        var bad = Line(Weights(200, 9, 0));
        var lines = Genesis().Select(Line).Append(bad).Append("{\"type\":\"weights_set\"").Append(Line(Weights(201, 1, 0)));
        var file = await WriteAsync(_directory, "mixed.ndjson", lines);

        var import = await LedgerCli.RunAsync("import", file, "--connection", db, "--skip-invalid");

        // The good lines are written, but rejected lines make the exit code say so.
        import.ExitCode.ShouldBe(2, import.Error);
        import.Output.ShouldContain("lines read 8, appended 6, already present 0, rejected 2");
        var side = Path.Combine(_directory, "mixed.rejected.ndjson");
        import.Output.ShouldContain(side);
        var rejected = (await File.ReadAllLinesAsync(side, TestContext.Current.CancellationToken)).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        rejected.Length.ShouldBe(2);
        rejected[0].GetProperty("line").GetInt64().ShouldBe(6);
        rejected[0].GetProperty("field").GetString().ShouldBe("hotkey");
        rejected[0].GetProperty("reason").GetString()!.ShouldContain("is not registered on subnet 1");
        rejected[0].GetProperty("text").GetString().ShouldBe(bad);
        rejected[1].GetProperty("line").GetInt64().ShouldBe(7);
        (await CountAsync(db, "ledger.mt_events")).ShouldBe(6);
    }

    [Fact]
    public async Task MissingFile_IsBadInput()
    {
        var import = await LedgerCli.RunAsync("import", Path.Combine(_directory, "nope.ndjson"), "--connection", await DatabaseAsync());

        import.ExitCode.ShouldBe(2);
        import.Error.ShouldContain("does not exist");
    }

    private static Task<string> DatabaseAsync([CallerMemberName] string test = "") =>
        PostgresServer.CreateDatabaseAsync($"import_{test}");

    internal static async Task<long> CountAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand($"select count(*) from {table}", connection);
        return (long)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
