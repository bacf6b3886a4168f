using System.Diagnostics;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>Through the built executable: what escapes a command is one line naming what failed, with the documented
/// exit code and no stack trace; concurrent writers and resets are serialized by the writer lock.</summary>
public sealed class CliErrorTests
{
    public static TheoryData<string[], int, string> BadInvocations() => new()
    {
        { ["status", "--connection", "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing"], 1,
            "ledger: database: cannot connect to 127.0.0.1:1 (database nothing, user nobody)" },
        { ["status", "--connection", "no such=keyword"], 2, "ledger: --connection: not a valid PostgreSQL connection string" },
        { ["emissions", "--netuid", "abc"], 2, "ledger: --netuid: 'abc' is not a whole number" },
        { ["metagraph", "--netuid", "1", "--at-block", "x"], 2, "ledger: --at-block: 'x' is not a whole number from 0 to 18446744073709551615" },
        { ["metagraph", "--netuid", "1", "--at-block", "18446744073709551615"], 2, "ledger: --at-block: must be at most 9223372036854775807" },
        { ["no-such-command"], 2, "ledger: Unrecognized command or argument 'no-such-command'." },
        { ["status", "--no-such-option"], 2, "ledger: Unrecognized command or argument '--no-such-option'." },
    };

    [Theory]
    [MemberData(nameof(BadInvocations))]
    public async Task BadInvocation_IsOneLineWithTheDocumentedExitCode(string[] args, int exitCode, string message)
    {
        var run = await ExecutableTests.RunAsync(args);

        run.ExitCode.ShouldBe(exitCode, run.Error);
        run.Error.ShouldContain(message);
        run.Error.ShouldNotContain("   at ");
        run.Error.ShouldNotContain("Exception");
        run.Output.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_50_MB_first_line_is_refused_before_the_database_is_opened()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ledger-huge-{Guid.NewGuid():N}.ndjson");
        var line = "{\"type\":\"stake_added\",\"block\":1,\"coldkey\":\"" + new string('x', 50_000_000) + "\"}";
        await File.WriteAllTextAsync(file, line + "\n", TestContext.Current.CancellationToken);

        // No database listens here: the refusal must come before any connection is tried.
        var run = await ExecutableTests.RunAsync("import", file, "--connection", "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing");
        File.Delete(file);

        run.ExitCode.ShouldBe(2, run.Error);
        run.Error.ShouldContain($"{file}:1: line: is {line.Length} bytes; a line is at most 1048576 bytes");
        run.Error.ShouldNotContain("cannot connect");
    }

    [Fact]
    public async Task MissingOutputDirectory_IsNamed()
    {
        var db = await PostgresServer.CreateDatabaseAsync("cli_missing_dir");
        var missing = Path.Combine(Path.GetTempPath(), "ledger-no-such-dir-" + Guid.NewGuid().ToString("N"), "out.csv");

        var run = await ExecutableTests.RunAsync("export", "--what", "emissions", "--format", "csv", "--out", missing, "--connection", db);

        run.ExitCode.ShouldBe(2, run.Error);
        run.Error.ShouldContain(Path.GetDirectoryName(missing)!);
        run.Error.ShouldNotContain("   at ");
    }

    public static TheoryData<string[], string> UnknownThings() => new()
    {
        { ["emissions", "--netuid", "999"], "ledger: netuid: subnet 999 is not in this ledger" },
        { ["metagraph", "--netuid", "999"], "ledger: netuid: subnet 999 is not in this ledger" },
        { ["emissions", "--hotkey", "5HK5tp6t2S59DywmHRWPBVJeJ86T61KjurYqeooqj8sREpeN"], "ledger: hotkey: 5HK5tp6t2S59DywmHRWPBVJeJ86T61KjurYqeooqj8sREpeN was never registered nor staked in this ledger" },
        { ["emissions", "--coldkey", "5HK5tp6t2S59DywmHRWPBVJeJ86T61KjurYqeooqj8sREpeN"], "ledger: coldkey: 5HK5tp6t2S59DywmHRWPBVJeJ86T61KjurYqeooqj8sREpeN was never registered nor staked in this ledger" },
        { ["stake", "--hotkey", "5HK5tp6t2S59DywmHRWPBVJeJ86T61KjurYqeooqj8sREpeN"], "ledger: hotkey: 5HK5tp6t2S59DywmHRWPBVJeJ86T61KjurYqeooqj8sREpeN was never registered nor staked in this ledger" },
    };

    [Theory]
    [MemberData(nameof(UnknownThings))]
    public async Task UnknownSubnetOrKey_IsSaidToBeUnknown(string[] args, string message)
    {
        var db = await PostgresServer.CreateDatabaseAsync("cli_unknown_things");

        var run = await ExecutableTests.RunAsync([.. args, "--connection", db]);

        run.ExitCode.ShouldBe(2, run.Error);
        run.Error.ShouldContain(message);
        run.Output.ShouldBeEmpty();
    }

    [Fact]
    public async Task TwoImportsAtOnceOnAFreshDatabase_EndWithOneCopy()
    {
        var db = await PostgresServer.CreateDatabaseAsync("cli_two_imports");
        var sample = Path.Combine(ExecutableTests.RepositoryRoot(), "samples", "sample-chain.ndjson");
        var lines = File.ReadLines(sample).Count(l => !string.IsNullOrWhiteSpace(l));
        var epochs = File.ReadLines(sample).Count(l => l.Contains("\"type\":\"epoch_triggered\"", StringComparison.Ordinal));

        var runs = await Task.WhenAll(ExecutableTests.RunAsync("import", sample, "--connection", db), ExecutableTests.RunAsync("import", sample, "--connection", db));
        var status = await ExecutableTests.RunAsync("status", "--json", "--connection", db);

        foreach (var run in runs)
        {
            run.ExitCode.ShouldBe(0, run.Error);
            run.Error.ShouldNotContain("   at ");
        }

        // One of them appended everything, the other found it all present.
        runs.Count(r => r.Output.Contains($"appended {lines}, already present 0", StringComparison.Ordinal)).ShouldBe(1);
        runs.Count(r => r.Output.Contains($"appended 0, already present {lines}", StringComparison.Ordinal)).ShouldBe(1);
        status.Output.ShouldContain($"\"events\": {lines + (2 * epochs)}");
    }

    [Fact]
    public async Task ResetWaitsForTheWriterAndSaysWhoHoldsIt()
    {
        var db = await PostgresServer.CreateDatabaseAsync("cli_reset_waits");
        var sample = Path.Combine(ExecutableTests.RepositoryRoot(), "samples", "sample-chain.ndjson");
        (await ExecutableTests.RunAsync("import", sample, "--connection", db)).ExitCode.ShouldBe(0);
        var before = await EventCountAsync(db);

        // Stand in for a running writer: hold the ledger's writer lock ("ledger" in ASCII) on a session of our own.
        await using var writer = new NpgsqlConnection(db);
        await writer.OpenAsync(TestContext.Current.CancellationToken);
        await using (var take = new NpgsqlCommand("select pg_advisory_lock(119182731994482)", writer))
        {
            await take.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ledger.dll"), "import", "--reset", sample, "--connection", db })
        {
            start.ArgumentList.Add(arg);
        }

        using var reset = Process.Start(start)!;
        var output = reset.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var waiting = await reset.StandardError.ReadLineAsync(TestContext.Current.CancellationToken);
        while (waiting is not null && !waiting.Contains("another command is writing this ledger", StringComparison.Ordinal))
        {
            waiting = await reset.StandardError.ReadLineAsync(TestContext.Current.CancellationToken);
        }

        waiting.ShouldNotBeNull();
        waiting.ShouldContain($"PostgreSQL pid {writer.ProcessID}");
        // While the writer holds the lock, nothing of its ledger is dropped.
        (await EventCountAsync(db)).ShouldBe(before);

        await using (var release = new NpgsqlCommand("select pg_advisory_unlock(119182731994482)", writer))
        {
            await release.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var rest = await reset.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await reset.WaitForExitAsync(TestContext.Current.CancellationToken);
        reset.ExitCode.ShouldBe(0, rest);
        (await output).ShouldContain("already present 0, rejected 0");
        (await EventCountAsync(db)).ShouldBe(before);
    }

    private static async Task<long> EventCountAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("select count(*) from ledger.mt_events", connection);
        return (long)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
