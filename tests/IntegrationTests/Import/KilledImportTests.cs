using System.Diagnostics;
using System.Text.Json;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>Issue 13, "Sequence holes are not gaps": an import killed (kill -9) mid-batch and run again ends with the
/// digests of an uninterrupted import and no gap, while an event deleted from a committed range is reported as a gap.
/// Through the built executable, as a user runs it (docs/adr/0007-projections.md, "Sequence holes").</summary>
public sealed class KilledImportTests
{
    // Small batches: many of them, so a kill lands inside one at each of the points below.
    private const string BatchSize = "100";

    private static readonly TimeSpan KillWithin = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Issue13_ImportKilledMidBatchAtSeveralPoints_ResumesToTheDigestsOfAnUninterruptedImport()
    {
        var whole = await PostgresServer.CreateDatabaseAsync("killed_import_whole");
        var killed = await PostgresServer.CreateDatabaseAsync("killed_import_resumed");
        var sample = Sample();
        var lines = File.ReadLines(sample).Count(l => !string.IsNullOrWhiteSpace(l));

        // The uninterrupted import runs with the default batch size: the digest depends on the file, not on batching.
        var straight = await ExecutableTests.RunAsync("import", sample, "--connection", whole);
        straight.ExitCode.ShouldBe(0, straight.Error);

        // Three kills: inside the first batch (nothing committed yet), after about a third, after about two thirds.
        // Each one waits until the running import has drawn sequence numbers it has not committed, then kills.
        var released = new List<long>();
        foreach (var committed in new long[] { 0, lines / 3, 2 * lines / 3 })
        {
            released.Add(await KillMidBatchAsync(killed, sample, committed));
            if (committed > 0 && committed < 2 * lines / 3)
            {
                // A digest between a kill and its resume: the projector sees the partial log and finds no gap in it
                // (the killed batch's numbers are above everything committed).
                var partial = await ExecutableTests.RunAsync("digest", "--connection", killed);
                partial.ExitCode.ShouldBe(0, partial.Error);
                partial.Output.ShouldContain("sequence gaps: 0 ");
            }
        }

        var resumed = await ExecutableTests.RunAsync("import", sample, "--batch-size", BatchSize, "--connection", killed);
        var expected = await ExecutableTests.RunAsync("digest", "--json", "--connection", whole);
        var actual = await ExecutableTests.RunAsync("digest", "--json", "--connection", killed);
        var table = await ExecutableTests.RunAsync("digest", "--connection", killed);
        var expectedTable = await ExecutableTests.RunAsync("digest", "--connection", whole);

        // The test did what it says: at least one kill left numbers drawn and never committed (one can miss only when
        // the kill landed after the batch's commit had already been sent).
        released.ShouldContain(n => n > 0, $"numbers drawn and not committed at each kill: {string.Join(", ", released)}");
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        resumed.Output.ShouldContain("rejected 0");
        expected.ExitCode.ShouldBe(0, expected.Error);
        actual.ExitCode.ShouldBe(0, actual.Error);
        var (expectedDigests, expectedGaps) = Parse(expected.Output);
        var (actualDigests, actualGaps) = Parse(actual.Output);
        expectedDigests.Select(d => d.Name).ShouldBe(["stake", "emissions", "bonds", "weights", "neurons", "supply", "chain"]);
        expectedDigests.Where(d => d.Name != "chain").ShouldAllBe(d => d.Rows > 0);
        expectedDigests.Single(d => d.Name == "chain").Rows.ShouldBe(0, "an imported ledger holds no observed chain facts");
        actualDigests.ShouldBe(expectedDigests);
        expectedGaps.ShouldBe(0);
        actualGaps.ShouldBe(0);
        table.ExitCode.ShouldBe(0, table.Error);
        table.Output.ShouldContain("sequence gaps: 0 (0 sequence numbers with no event)");
        // The whole report, checkpoints too: the resumed log is numbered as the uninterrupted one is.
        table.Output.ShouldBe(expectedTable.Output);
        // The log itself keeps no hole: the numbers the killed batches drew were drawn again.
        (await ScalarAsync(killed, "select count(*) = max(seq_id) from ledger.mt_events")).ShouldBe(true);
        (await ScalarAsync(killed, "select count(*) from ledger.mt_events"))
            .ShouldBe(await ScalarAsync(whole, "select count(*) from ledger.mt_events"));
    }

    [Fact]
    public async Task Issue13_EventDeletedFromACommittedRange_IsReportedAsAGap_AndStaysReported()
    {
        var db = await PostgresServer.CreateDatabaseAsync("killed_import_real_gap");
        var sample = Sample();
        var import = await ExecutableTests.RunAsync("import", sample, "--connection", db);
        var before = await ExecutableTests.RunAsync("digest", "--json", "--connection", db);

        // One committed weights_set, well inside the log and already projected.
        var deleted = (long)(await ScalarAsync(db,
            "delete from ledger.mt_events where seq_id = (select seq_id from ledger.mt_events where type = 'weights_set' order by seq_id offset 100 limit 1) returning seq_id"))!;
        var after = await ExecutableTests.RunAsync("digest", "--connection", db);
        var afterJson = await ExecutableTests.RunAsync("digest", "--json", "--connection", db);
        // A writer taking the lock gives back only numbers above the highest committed one: the hole stays.
        var again = await ExecutableTests.RunAsync("import", sample, "--connection", db);
        var still = await ExecutableTests.RunAsync("digest", "--connection", db);

        import.ExitCode.ShouldBe(0, import.Error);
        before.ExitCode.ShouldBe(0, before.Error);
        Parse(before.Output).Gaps.ShouldBe(0);
        after.ExitCode.ShouldBe(1, after.Output);
        after.Error.ShouldContain($"ledger: digest: 1 events are missing from the log (1 sequence gaps, the first seq {deleted}..{deleted})");
        after.Output.ShouldContain($"gap: seq {deleted}..{deleted}");
        after.Output.ShouldContain("sequence gaps: 1 (1 sequence numbers with no event)");
        afterJson.ExitCode.ShouldBe(1);
        var (digestsBefore, _) = Parse(before.Output);
        var (digestsAfter, gapsAfter) = Parse(afterJson.Output);
        gapsAfter.ShouldBe(1);
        // The weights read model still holds the row (it was projected before the delete), but every later rank moved.
        digestsAfter.Single(d => d.Name == "weights").Digest.ShouldNotBe(digestsBefore.Single(d => d.Name == "weights").Digest);
        again.ExitCode.ShouldBe(0, again.Error);
        still.ExitCode.ShouldBe(1, still.Output);
        still.Output.ShouldContain($"gap: seq {deleted}..{deleted}");
    }

    [Fact]
    public async Task Issue13_Digest_IsOverTheEventsAndTheirOrder_NotTheirSequenceNumbers()
    {
        var plain = await PostgresServer.CreateDatabaseAsync("killed_import_plain_numbers");
        var spaced = await PostgresServer.CreateDatabaseAsync("killed_import_spaced_numbers");
        var sample = Sample();
        var first = await ExecutableTests.RunAsync("import", sample, "--connection", plain);
        // `digest` (a reader that catches the read models up) creates the schema; then every event's number is 7 past
        // the previous one's. (`status` no longer does: it applies no schema.)
        var created = await ExecutableTests.RunAsync("digest", "--connection", spaced);
        await ScalarAsync(spaced, "alter sequence ledger.mt_events_sequence increment by 7");
        var second = await ExecutableTests.RunAsync("import", sample, "--connection", spaced);
        var expected = await ExecutableTests.RunAsync("digest", "--json", "--connection", plain);
        var actual = await ExecutableTests.RunAsync("digest", "--json", "--connection", spaced);

        first.ExitCode.ShouldBe(0, first.Error);
        created.ExitCode.ShouldBe(0, created.Error);
        second.ExitCode.ShouldBe(0, second.Error);
        (await ScalarAsync(spaced, "select max(seq_id) > 6 * count(*) from ledger.mt_events")).ShouldBe(true);
        expected.ExitCode.ShouldBe(0, expected.Error);
        var (expectedDigests, _) = Parse(expected.Output);
        var (actualDigests, gaps) = Parse(actual.Output);
        actualDigests.ShouldBe(expectedDigests);
        // The six numbers between two events were never given back by a writer: holes nobody can prove empty.
        gaps.ShouldBeGreaterThan(0);
        actual.ExitCode.ShouldBe(1);
    }

    /// <summary>Starts `ledger import` and kills it (kill -9) once at least <paramref name="committed"/> events are
    /// committed and it holds sequence numbers it has not committed, i.e. inside a batch's transaction. Returns how
    /// many numbers were drawn and not committed once the killed process's sessions are gone.</summary>
    private static async Task<long> KillMidBatchAsync(string db, string sample, long committed)
    {
        var ct = TestContext.Current.CancellationToken;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ledger.dll"), "import", sample, "--batch-size", BatchSize, "--connection", db })
        {
            start.ArgumentList.Add(arg);
        }

        // One connection of its own for the polling, unpooled, so that "no other session" below means the killed
        // process's sessions are gone.
        await using var poll = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ConnectionString);
        await poll.OpenAsync(ct);
        var baseline = await StateAsync(poll);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (high, drawn) = await StateAsync(poll);
            // high > baseline: this process has committed a batch, so it has already given back what an earlier
            // kill left drawn, and a number drawn above high is its own.
            var own = committed == 0 || high > baseline.High;
            if (own && high >= committed && drawn > high)
            {
                process.Kill(entireProcessTree: true);
                break;
            }

            if (process.HasExited || clock.Elapsed > KillWithin)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(ct);
                Assert.Fail($"no mid-batch moment after {committed} committed events was seen (exit {process.ExitCode}): {await output}{await error}");
            }

            await Task.Delay(1, ct);
        }

        await process.WaitForExitAsync(ct);
        await Task.WhenAll(output, error);
        await SessionsGoneAsync(poll);
        var (afterHigh, afterDrawn) = await StateAsync(poll);
        return afterDrawn - afterHigh;
    }

    /// <summary>The highest committed <c>seq_id</c> and the last number drawn from the sequence (0 before any).</summary>
    private static async Task<(long High, long Drawn)> StateAsync(NpgsqlConnection connection)
    {
        await using var exists = new NpgsqlCommand("select to_regclass('ledger.mt_events') is not null and to_regclass('ledger.mt_events_sequence') is not null", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(TestContext.Current.CancellationToken))!)
        {
            return (0, 0);
        }

        await using var cmd = new NpgsqlCommand(
            "select (select coalesce(max(seq_id), 0) from ledger.mt_events), (select case when is_called then last_value else 0 end from ledger.mt_events_sequence)",
            connection);
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.ReadAsync(TestContext.Current.CancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Waits until the killed process's backends have noticed and ended (their transactions rolled back).</summary>
    private static async Task SessionsGoneAsync(NpgsqlConnection connection)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await using var cmd = new NpgsqlCommand("select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()", connection);
            if ((long)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == 0)
            {
                return;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static (IReadOnlyList<(string Name, string Digest, long Rows)> Digests, int Gaps) Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var digests = doc.RootElement.GetProperty("digests").EnumerateArray()
            .Select(d => (d.GetProperty("name").GetString()!, d.GetProperty("digest").GetString()!, d.GetProperty("rows").GetInt64()))
            .ToList();
        return (digests, doc.RootElement.GetProperty("gaps").GetArrayLength());
    }

    private static string Sample() => Path.Combine(ExecutableTests.RepositoryRoot(), "samples", "sample-chain.ndjson");

    private static async Task<object?> ScalarAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
