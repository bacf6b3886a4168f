using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Tests.Cli;
using Bittensor.Ledger.Chain.Tests.Replay;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Sync;

/// <summary>
/// <c>ledger chain sync</c> then <c>ledger chain audit</c> through the real executable: an epoch whose outputs the port
/// computed from its own description (<see cref="TestEpoch"/>) is recorded, rebuilt from the event store and recomputed
/// from the observed storage, and matches; one changed output is named by epoch, uid and field.
/// </summary>
public sealed class ChainAuditTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("ledger-chain-audit-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public async Task A_synced_epoch_recomputed_from_the_event_store_matches_bit_for_bit_and_a_second_audit_stores_nothing()
    {
        var epoch = TestEpochTests.Classic();
        var db = await SyncedAsync(nameof(ChainAuditTests) + "_match", epoch);

        var (exit, output, error) = await LedgerProcess.RunAsync("chain", "audit", "--netuid", "52", "--json", "--connection", db);
        var again = await LedgerProcess.RunAsync("chain", "audit", "--json", "--connection", db);
        var table = await LedgerProcess.RunAsync("chain", "audit", "--connection", db);

        exit.ShouldBe(0, error);
        var report = JsonNode.Parse(output)!;
        var only = report["epochs"]!.AsArray().ShouldHaveSingleItem()!;
        only["verdict"]!.GetValue<string>().ShouldBe("match", output);
        only["block"]!.GetValue<long>().ShouldBe(epoch.Block);
        only["spec_version"]!.GetValue<long>().ShouldBe(393);
        only["rule_set"]!.GetValue<string>().ShouldBe("365-400");
        only["first_difference"].ShouldBeNull();
        report["matched"]!.GetValue<int>().ShouldBe(1);
        report["differed"]!.GetValue<int>().ShouldBe(0);
        report["stored"]!.GetValue<int>().ShouldBe(1);
        JsonNode.Parse(again.Output)!["stored"]!.GetValue<int>().ShouldBe(0, "the same verdict is not stored twice");
        table.ExitCode.ShouldBe(0, table.Error);
        table.Output.ShouldContain("1 epochs: 1 match, 0 differ, 0 incomplete");
        var status = await StatusOf52Async(db);
        status["audited"]!.GetValue<long>().ShouldBe(1, "the second audit's identical verdict counts once");
        status["matched"]!.GetValue<long>().ShouldBe(1);
        status["differed"]!.GetValue<long>().ShouldBe(0);
        status["last_audited_block"]!.GetValue<long>().ShouldBe(epoch.Block);
        status["next_block"]!.GetValue<long>().ShouldBeGreaterThan(epoch.Block, "the sync's checkpoint is past the epoch it read");
    }

    /// <summary>Subnet 52 in <c>ledger chain status --json</c>: the sync's checkpoint and the stored verdicts counted.</summary>
    private static async Task<JsonNode> StatusOf52Async(string db)
    {
        var (exit, output, error) = await LedgerProcess.RunAsync("chain", "status", "--json", "--connection", db);
        exit.ShouldBe(0, error);
        return JsonNode.Parse(output)!["subnets"]!.AsArray().Single(s => s!["netuid"]!.GetValue<int>() == 52)!;
    }

    [Fact]
    public async Task One_changed_output_is_reported_with_its_epoch_uid_and_field_and_exit_1()
    {
        var epoch = TestEpochTests.Classic().Tamper("Dividends", 1);
        var db = await SyncedAsync(nameof(ChainAuditTests) + "_tampered", epoch);

        var (exit, output, error) = await LedgerProcess.RunAsync("chain", "audit", "--json", "--connection", db);
        var table = await LedgerProcess.RunAsync("chain", "audit", "--connection", db);

        exit.ShouldBe(1, error);
        var only = JsonNode.Parse(output)!["epochs"]!.AsArray().ShouldHaveSingleItem()!;
        only["verdict"]!.GetValue<string>().ShouldBe("differs");
        var first = only["first_difference"]!;
        first["field"]!.GetValue<string>().ShouldBe("Dividends");
        first["uid"]!.GetValue<int>().ShouldBe(1);
        var ledger = ushort.Parse(first["ledger"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        first["chain"]!.GetValue<string>().ShouldBe(((ushort)(ledger + 1)).ToString(CultureInfo.InvariantCulture), "the tamper added one to the stored u16");
        only["differences"]!.GetValue<int>().ShouldBe(1);
        table.ExitCode.ShouldBe(1);
        table.Output.ShouldContain("Dividends mech 0 uid 1");
        var status = await StatusOf52Async(db);
        status["audited"]!.GetValue<long>().ShouldBe(1);
        status["matched"]!.GetValue<long>().ShouldBe(0);
        status["differed"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task Explain_of_an_observed_epoch_shows_the_childkey_stake_the_weights_and_each_output_observed_beside_computed()
    {
        var clean = await SyncedAsync(nameof(ChainAuditTests) + "_explain", TestEpochTests.Classic());
        var tampered = await SyncedAsync(nameof(ChainAuditTests) + "_explain_t", TestEpochTests.Classic().Tamper("Dividends", 1));
        var block = TestEpochTests.Classic().Block.ToString(CultureInfo.InvariantCulture);

        var json = await LedgerProcess.RunAsync("explain", "--netuid", "52", "--block", block, "--uid", "1", "--json", "--connection", clean);
        var text = await LedgerProcess.RunAsync("explain", "--netuid", "52", "--block", block, "--uid", "2", "--connection", clean);
        var differs = await LedgerProcess.RunAsync("explain", "--netuid", "52", "--block", block, "--uid", "1", "--connection", tampered);
        var neither = await LedgerProcess.RunAsync("explain", "--netuid", "52", "--uid", "1", "--connection", clean);
        var wrongBlock = await LedgerProcess.RunAsync("explain", "--netuid", "52", "--block", "5", "--uid", "1", "--connection", clean);

        json.ExitCode.ShouldBe(0, json.Error);
        var x = JsonNode.Parse(json.Output)!;
        x["matches"]!.GetValue<bool>().ShouldBeTrue();
        var parent = x["explanation"]!["stake"]!["parents"]!.AsArray().ShouldHaveSingleItem()!;
        parent["hotkey"]!.GetValue<string>().ShouldBe(TestEpoch.Hotkey(9));
        parent["proportion"]!.GetValue<ulong>().ShouldBe(ulong.MaxValue / 2);
        x["explanation"]!["stake"]!["own_alpha"]!.GetValue<ulong>().ShouldBe(100_000_000_000UL);
        x["explanation"]!["stake"]!["inherited_alpha"]!.GetValue<ulong>().ShouldBeGreaterThan(100_000_000_000UL, "the parent lends half of its 50 τ-equivalent alpha");
        var terms = x["explanation"]!["terms"]!.AsArray();
        terms.Select(t => t!["field"]!.GetValue<string>()).ShouldBe(["Incentive", "Dividends", "Consensus", "ValidatorTrust", "StakeWeight", "ValidatorPermit", "Active", "Emission", "IncentiveAlphaEmittedToMiners"]);
        x["explanation"]!["rao_emission"]!.GetValue<ulong>().ShouldBeGreaterThan(0UL, "the written floors pin the emission amount");
        terms.ShouldAllBe(t => t!["observed"]!.GetValue<string>() == t["computed"]!.GetValue<string>());
        text.ExitCode.ShouldBe(0, text.Error);
        text.Output.ShouldContain("weights received, clipped at consensus");
        text.Output.ShouldContain("the ledger's recomputation equals what the chain stored");
        differs.ExitCode.ShouldBe(1);
        differs.Output.ShouldContain("DIFFERS from what the chain stored");
        neither.ExitCode.ShouldBe(2);
        neither.Error.ShouldContain("give either --epoch E");
        wrongBlock.ExitCode.ShouldBe(2);
        wrongBlock.Error.ShouldContain("no observed epoch of subnet 52 at block 5");
    }

    [Fact]
    public async Task Metagraph_of_a_synced_subnet_is_the_state_its_last_epoch_wrote_labelled_observed()
    {
        var epoch = TestEpochTests.Classic();
        var db = await SyncedAsync(nameof(ChainAuditTests) + "_metagraph", epoch);

        var (exit, output, error) = await LedgerProcess.RunAsync("metagraph", "--netuid", "52", "--json", "--connection", db);
        var text = await LedgerProcess.RunAsync("metagraph", "--netuid", "52", "--connection", db);
        var before = await LedgerProcess.RunAsync("metagraph", "--netuid", "52", "--at-block", "5", "--connection", db);

        exit.ShouldBe(0, error);
        var report = JsonNode.Parse(output)!;
        report["source"]!.GetValue<string>().ShouldBe("observed");
        report["epoch_block"]!.GetValue<long>().ShouldBe(epoch.Block);
        var neurons = report["neurons"]!.AsArray();
        neurons.Count.ShouldBe(epoch.N);
        var (aggregate, perMechanism) = epoch.Expected;
        for (var uid = 0; uid < epoch.N; uid++)
        {
            var n = neurons[uid]!;
            n["hotkey"]!.GetValue<string>().ShouldBe(TestEpoch.Hotkey(uid));
            n["stake"]!.GetValue<ulong>().ShouldBe(epoch.Alpha[uid]);
            n["incentive"]!.GetValue<int>().ShouldBe(perMechanism[0].Incentive[uid]);
            n["dividends"]!.GetValue<int>().ShouldBe(aggregate.Dividends[uid]);
            n["stake_weight"]!.GetValue<int>().ShouldBe(aggregate.StakeWeight[uid]);
            n["validator_permit"]!.GetValue<bool>().ShouldBe(aggregate.NewValidatorPermit[uid]);
        }

        text.ExitCode.ShouldBe(0, text.Error);
        text.Output.ShouldContain($"observed: as the chain stored them at its epoch block {epoch.Block}");
        before.ExitCode.ShouldBe(2, "no epoch of the subnet was observed by block 5");
        before.Error.ShouldContain("subnet 52 is not in this ledger");
    }

    [Fact]
    public async Task Emissions_of_a_synced_subnet_are_its_epochs_as_the_chain_stored_them_labelled_observed()
    {
        var epoch = TestEpochTests.Classic();
        var db = await SyncedAsync(nameof(ChainAuditTests) + "_emissions", epoch);

        var (exit, output, error) = await LedgerProcess.RunAsync("emissions", "--netuid", "52", "--json", "--connection", db);
        var text = await LedgerProcess.RunAsync("emissions", "--netuid", "52", "--connection", db);

        exit.ShouldBe(0, error);
        var report = JsonNode.Parse(output)!;
        report["source"]!.GetValue<string>().ShouldBe("observed");
        var rows = report["rows"]!.AsArray();
        rows.Count.ShouldBe(epoch.N);
        var (aggregate, perMechanism) = epoch.Expected;
        for (var uid = 0; uid < epoch.N; uid++)
        {
            var row = rows[uid]!;
            row["block"]!.GetValue<long>().ShouldBe(epoch.Block);
            row["emission"]!.GetValue<ulong>().ShouldBe(aggregate.Emission[uid]);
            row["server_emission"]!.GetValue<ulong>().ShouldBe(perMechanism[0].ServerEmission[uid]);
            row["incentive"]!.GetValue<int>().ShouldBe(perMechanism[0].Incentive[uid]);
        }

        report["emission"]!.GetValue<ulong>().ShouldBe(aggregate.Emission.Aggregate(0UL, (s, e) => s + e));
        text.ExitCode.ShouldBe(0, text.Error);
        text.Output.ShouldContain("observed: as the chain stored them at each epoch block");

        var stake = await LedgerProcess.RunAsync("stake", "--hotkey", TestEpoch.Hotkey(0), "--json", "--connection", db);
        stake.ExitCode.ShouldBe(0, stake.Error);
        var positions = JsonNode.Parse(stake.Output)!;
        positions["source"]!.GetValue<string>().ShouldBe("observed");
        var position = positions["positions"]!.AsArray().ShouldHaveSingleItem()!;
        position["stake"]!.GetValue<ulong>().ShouldBe(epoch.Alpha[0]);
        position["last_change_block"]!.GetValue<long>().ShouldBe(epoch.Block);
    }

    [Fact]
    public async Task Nothing_to_audit_and_a_subnet_never_synced_are_exit_2()
    {
        var db = await SyncedAsync(nameof(ChainAuditTests) + "_empty", TestEpochTests.Classic());

        var empty = await LedgerProcess.RunAsync("chain", "audit", "--from-block", "1", "--to-block", "2", "--connection", db);
        var unknown = await LedgerProcess.RunAsync("chain", "audit", "--netuid", "7", "--connection", db);

        empty.ExitCode.ShouldBe(2);
        empty.Error.ShouldContain("no observed epochs in this range");
        unknown.ExitCode.ShouldBe(2);
        unknown.Error.Trim().ShouldBe("ledger: netuid: subnet 7 was never synced into this ledger; run `ledger chain sync --netuid 7 …` first");
    }

    private async Task<string> SyncedAsync(string name, TestEpoch epoch)
    {
        var db = await PostgresServer.CreateDatabaseAsync(name);
        await using var node = await ReplayNode.StartAsync();
        SyncChainBuilder.Serve(epoch.Build(), node);
        var block = epoch.Block.ToString(CultureInfo.InvariantCulture);
        var (exit, _, error) = await LedgerProcess.RunAsync("chain", "sync", "--netuid", "52", "--from-block", block, "--to-block", block,
            "--url", node.Url.ToString(), "--cache-dir", _cache, "--connection", db);
        exit.ShouldBe(0, error);
        return db;
    }
}
