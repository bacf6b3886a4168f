using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Tests.Cli;
using Bittensor.Ledger.Chain.Tests.Replay;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Sync;

/// <summary>
/// <c>ledger chain sync</c> end to end: the real executable reads the loopback node serving <see cref="SyncChainBuilder"/>'s
/// chain and writes a real PostgreSQL database. Re-syncs append nothing; a kill -9 or a dropped connection mid-sync
/// loses nothing committed, and the resumed sync ends with the digest of an uninterrupted one.
/// </summary>
public sealed class ChainSyncTests : IDisposable
{
    private const long From = SyncChainBuilder.First + 1;
    private readonly string _cache = Directory.CreateTempSubdirectory("ledger-chain-sync-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public async Task Sync_records_the_subnets_events_and_epochs_and_a_second_sync_appends_nothing()
    {
        var db = await PostgresServer.CreateDatabaseAsync(nameof(ChainSyncTests) + "_full");
        await using var node = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(SyncChainBuilder.Build(), node);

        var first = await SyncAsync(node, db, "--to-block", Text(SyncChainBuilder.Last), "--json");
        var again = await SyncAsync(node, db, "--to-block", Text(SyncChainBuilder.Last), "--json");

        first.ExitCode.ShouldBe(0, first.Error);
        var report = JsonNode.Parse(first.Output)!;
        report["facts"]!.GetValue<long>().ShouldBe(SyncChainBuilder.FactsOf52);
        report["appended"]!.GetValue<long>().ShouldBe(SyncChainBuilder.FactsOf52);
        report["epochs"]!.GetValue<int>().ShouldBe(1);
        report["next_block"]!.GetValue<long>().ShouldBe(SyncChainBuilder.Last + 1);
        again.ExitCode.ShouldBe(0, again.Error);
        var second = JsonNode.Parse(again.Output)!;
        second["appended"]!.GetValue<long>().ShouldBe(0, "the checkpoint is at the end: nothing is read again");
        second["blocks"]!.GetValue<long>().ShouldBe(0);

        var digest = await DigestAsync(db);
        (await ScalarAsync(db, "select count(*) from ledger.chain_events where netuid = 9")).ShouldBe(0L, "subnet 9 was not synced");
        (await ScalarAsync(db, "select count(*) from ledger.chain_events where netuid = 52")).ShouldBe(SyncChainBuilder.FactsOf52 - 2L);
        (await ScalarAsync(db, $"select count(*) from ledger.chain_epoch_inputs where netuid = 52 and block = {SyncChainBuilder.EpochBlock} and excluded_uids = '{{2}}'")).ShouldBe(1L);
        (await ScalarAsync(db, $"select count(*) from ledger.chain_events where kind = 'weights_set' and block = {SyncChainBuilder.WeightsBlock}")).ShouldBe(1L);
        (await ScalarAsync(db, "select count(*) from ledger.mt_events where type = 'chain_event_observed' and data -> 'Weights' ->> 'Raw' is not null")).ShouldBe(2L,
            "each weights_set carries the row read from Weights at its block, with its raw bytes");

        // Forget the checkpoint: every block is read again, and every fact is found already present.
        await ScalarAsync(db, "delete from ledger.ledger_chain_checkpoints returning 0");
        var reread = await SyncAsync(node, db, "--to-block", Text(SyncChainBuilder.Last), "--json");
        reread.ExitCode.ShouldBe(0, reread.Error);
        JsonNode.Parse(reread.Output)!["already_present"]!.GetValue<long>().ShouldBe(SyncChainBuilder.FactsOf52);
        JsonNode.Parse(reread.Output)!["appended"]!.GetValue<long>().ShouldBe(0);
        (await DigestAsync(db)).ShouldBe(digest);
    }

    [Fact]
    public async Task A_sync_killed_at_any_point_resumes_to_the_digest_of_an_uninterrupted_sync()
    {
        var whole = await PostgresServer.CreateDatabaseAsync(nameof(ChainSyncTests) + "_whole");
        var killed = await PostgresServer.CreateDatabaseAsync(nameof(ChainSyncTests) + "_killed");
        await using var node = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(SyncChainBuilder.Build(), node);
        (await SyncAsync(node, whole, "--to-block", Text(SyncChainBuilder.Last))).ExitCode.ShouldBe(0);

        node.AnswerDelay = TimeSpan.FromMilliseconds(15);
        var kills = 0;
        foreach (var after in new[] { From + 2, SyncChainBuilder.EpochBlock - 1, SyncChainBuilder.EpochBlock + 2 })
        {
            if (await KillOnceCommittedAsync(node, killed, after))
            {
                kills++;
            }
        }

        node.AnswerDelay = TimeSpan.Zero;
        var resumed = await SyncAsync(node, killed, "--to-block", Text(SyncChainBuilder.Last));

        kills.ShouldBeGreaterThan(0, "at least one sync was killed before it finished");
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        (await DigestAsync(killed)).ShouldBe(await DigestAsync(whole));
        (await ScalarAsync(killed, "select count(*) from ledger.mt_events")).ShouldBe(SyncChainBuilder.FactsOf52);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_and_the_sync_completes()
    {
        var db = await PostgresServer.CreateDatabaseAsync(nameof(ChainSyncTests) + "_dropped");
        await using var node = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(SyncChainBuilder.Build(), node);
        node.DropConnection(afterAnswers: 40, times: int.MaxValue);

        var synced = await SyncAsync(node, db, "--to-block", Text(SyncChainBuilder.Last), "--json");

        synced.ExitCode.ShouldBe(0, synced.Error);
        node.Connections.ShouldBeGreaterThan(2, "the node dropped the connection every 40 answers");
        JsonNode.Parse(synced.Output)!["appended"]!.GetValue<long>().ShouldBe(SyncChainBuilder.FactsOf52);
    }

    [Fact]
    public async Task A_node_that_goes_away_stops_the_sync_with_a_clear_error_and_every_committed_block_is_kept()
    {
        var db = await PostgresServer.CreateDatabaseAsync(nameof(ChainSyncTests) + "_gone");
        var chain = SyncChainBuilder.Build();
        var node = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(chain, node);
        node.AnswerDelay = TimeSpan.FromMilliseconds(15);
        var start = Start(node, db, "--to-block", Text(SyncChainBuilder.Last), "--batch-blocks", "1");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        while (await ScalarOrZeroAsync(db, "select next_block from ledger.ledger_chain_checkpoints where netuid = 52") <= From + 3 && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await node.DisposeAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var committed = await ScalarAsync(db, "select next_block from ledger.ledger_chain_checkpoints where netuid = 52");
        var stored = await ScalarAsync(db, "select count(*) from ledger.mt_events");
        await using var again = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(chain, again);
        var resumed = await SyncAsync(again, db, "--to-block", Text(SyncChainBuilder.Last), "--json");

        process.ExitCode.ShouldBe(1, await output);
        (await error).ShouldStartWith("ledger: chain: ");
        (await error).ShouldNotContain("   at ");
        committed.ShouldBeGreaterThan(From + 3, "the blocks read before the node went away are committed");
        committed.ShouldBeLessThanOrEqualTo(SyncChainBuilder.Last);
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        JsonNode.Parse(resumed.Output)!["from_block"]!.GetValue<long>().ShouldBe(committed);
        JsonNode.Parse(resumed.Output)!["appended"]!.GetValue<long>().ShouldBe(SyncChainBuilder.FactsOf52 - stored);
        (await ScalarAsync(db, "select count(*) from ledger.mt_events")).ShouldBe(SyncChainBuilder.FactsOf52);
    }

    [Fact]
    public async Task Follow_reads_each_block_as_it_is_finalized_and_ctrl_c_ends_it_cleanly_with_exit_0()
    {
        var db = await PostgresServer.CreateDatabaseAsync(nameof(ChainSyncTests) + "_follow");
        var finalized = SyncChainBuilder.WeightsBlock;
        await using var node = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(SyncChainBuilder.Build(), node, () => Volatile.Read(ref finalized));
        var start = Start(node, db, "--follow");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        var caughtUp = await WaitForCheckpointAsync(db, SyncChainBuilder.WeightsBlock + 1, process);
        Volatile.Write(ref finalized, SyncChainBuilder.Last);
        var followed = await WaitForCheckpointAsync(db, SyncChainBuilder.Last + 1, process);
        using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        caughtUp.ShouldBeTrue("the sync reached the finalized head: " + await error);
        followed.ShouldBeTrue("the sync read the blocks finalized after it started");
        process.ExitCode.ShouldBe(0, await error);
        (await output).ShouldContain($"blocks {From}..{SyncChainBuilder.Last} ");
        (await ScalarAsync(db, "select count(*) from ledger.mt_events")).ShouldBe(SyncChainBuilder.FactsOf52);
    }

    private static async Task<bool> WaitForCheckpointAsync(string db, long next, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (await ScalarOrZeroAsync(db, "select next_block from ledger.ledger_chain_checkpoints where netuid = 52") >= next)
            {
                return true;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return false;
    }

    [Fact]
    public async Task A_second_sync_of_the_same_subnet_is_refused_and_names_the_holder()
    {
        var db = await PostgresServer.CreateDatabaseAsync(nameof(ChainSyncTests) + "_twice");
        await using var node = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(SyncChainBuilder.Build(), node);
        (await SyncAsync(node, db, "--to-block", Text(From))).ExitCode.ShouldBe(0);
        await using var holder = new NpgsqlConnection(db);
        await holder.OpenAsync(TestContext.Current.CancellationToken);
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({Projections.Tailing.LedgerLocks.ChainSync(52)})", holder))
        {
            await take.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var refused = await SyncAsync(node, db, "--to-block", Text(SyncChainBuilder.Last));
        var other = await SyncAsync(node, db, "--to-block", Text(SyncChainBuilder.Last), "--netuid-override", "9");

        refused.ExitCode.ShouldBe(1);
        refused.Error.ShouldContain("subnet 52 is already being synced into this ledger (PostgreSQL pid ");
        (await ScalarAsync(db, "select next_block from ledger.ledger_chain_checkpoints where netuid = 52")).ShouldBe(From + 1, "the refused sync wrote nothing");
        other.ExitCode.ShouldBe(0, "another subnet syncs meanwhile: " + other.Error);
    }

    [Fact]
    public async Task Blocks_of_runtimes_before_spec_320_and_blocks_not_yet_finalized_are_refused_in_one_line()
    {
        var db = await PostgresServer.CreateDatabaseAsync(nameof(ChainSyncTests) + "_refused");
        await using var old = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(SyncChainBuilder.Build(oldSpecUntil: (uint)(From + 1)), old);
        await using var node = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(SyncChainBuilder.Build(), node, finalized: SyncChainBuilder.EpochBlock);

        var tooOld = await SyncAsync(old, db, "--to-block", Text(SyncChainBuilder.Last));
        var unfinalized = await SyncAsync(node, db, "--to-block", Text(SyncChainBuilder.Last));
        var badNetuid = await SyncAsync(node, db, "--to-block", Text(SyncChainBuilder.Last), "--netuid-override", "52,x");

        tooOld.ExitCode.ShouldBe(2);
        tooOld.Error.Trim().ShouldBe($"ledger: chain sync: --from-block: block {From} ran runtime spec 315; chain sync supports spec 320 and later (the first runtime with mechanisms): start at a later block");
        unfinalized.ExitCode.ShouldBe(2);
        unfinalized.Error.Trim().ShouldBe($"ledger: chain sync: --to-block: block {SyncChainBuilder.Last} is not finalized yet (the node's last finalized block is {SyncChainBuilder.EpochBlock}); chain sync reads finalized blocks only");
        badNetuid.ExitCode.ShouldBe(2);
        badNetuid.Error.ShouldContain("--netuid: 'x' is not a subnet id");
        (await ScalarAsync(db, "select count(*) from ledger.mt_events")).ShouldBe(0L);
    }

    /// <summary>Starts a sync and kills it (kill -9) once a checkpoint at or past <paramref name="committed"/> is stored;
    /// false when the sync finished first.</summary>
    private async Task<bool> KillOnceCommittedAsync(ReplayNode node, string db, long committed)
    {
        var start = Start(node, db, "--to-block", Text(SyncChainBuilder.Last), "--batch-blocks", "1");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var next = await ScalarOrZeroAsync(db, "select next_block from ledger.ledger_chain_checkpoints where netuid = 52");
            if (next > committed)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
                return true;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return false;
    }

    private Task<(int ExitCode, string Output, string Error)> SyncAsync(ReplayNode node, string db, params string[] args)
    {
        var netuid = "52";
        var at = Array.IndexOf(args, "--netuid-override");
        if (at >= 0)
        {
            netuid = args[at + 1];
            args = [.. args.Take(at), .. args.Skip(at + 2)];
        }

        return LedgerProcess.RunAsync(["chain", "sync", "--netuid", netuid, "--from-block", Text(From), .. args,
            "--url", node.Url.ToString(), "--cache-dir", _cache, "--connection", db]);
    }

    private ProcessStartInfo Start(ReplayNode node, string db, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var arg in (string[])[LedgerProcess.Executable, "chain", "sync", "--netuid", "52", "--from-block", Text(From), .. args,
            "--url", node.Url.ToString(), "--cache-dir", _cache, "--connection", db])
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static async Task<string> DigestAsync(string db)
    {
        var (exit, output, error) = await LedgerProcess.RunAsync("digest", "--json", "--connection", db);
        exit.ShouldBe(0, error);
        return output;
    }

    private static async Task<long> ScalarAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<long> ScalarOrZeroAsync(string db, string sql)
    {
        try
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var cmd = new NpgsqlCommand(sql, connection);
            return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken) is { } v and not DBNull ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
