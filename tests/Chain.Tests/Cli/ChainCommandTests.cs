using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Tests.Replay;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Cli;

/// <summary><c>ledger chain</c> end to end: the executable against a loopback node replaying mainnet block 7,959,635.</summary>
public sealed class ChainCommandTests : IDisposable
{
    private const string Block = "0x81617dc8ede17528d8f8aab64c84285a166f73e120ff6d2acd11e3419a95abec";
    private const string Parent = "0x837290251c877af937f4a038bb95d6e7e8f51aa5652d0e42976ab9bba3b7ecf0";
    private const string Genesis = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";

    private readonly string _cache = Directory.CreateTempSubdirectory("ledger-chain-cache-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    /// <summary>The recorded block, plus what the recording lacks: genesis, the V15 metadata call and the head.</summary>
    private static async Task<ReplayNode> StartNodeAsync()
    {
        var recordings = ReplayRecordings.FromFile(Fixtures.ChainFile("block-7959635-recordings.json"));
        var metadata = File.ReadAllText(Fixtures.ChainFile("metadata-spec393-v15-at-version.hex")).Trim();
        recordings.AddResult("chain_getBlockHash", "[0]", $"\"{Genesis}\"");
        recordings.AddResult("state_call", $"[\"Metadata_metadata_at_version\", \"0x0f000000\", \"{Parent}\"]", $"\"{metadata}\"");
        recordings.AddResult("system_chain", "[]", "\"Bittensor\"");
        recordings.AddResult("chain_getFinalizedHead", "[]", $"\"{Block}\"");
        var header = Fixtures.Recorded(Fixtures.Json("block-7959635-recordings.json"), "chain_getHeader", $"[\"{Block}\"]")!;
        recordings.AddResult("chain_getHeader", "[]", header.ToJsonString());
        recordings.AddResult("chain_getBlockHash", "[7959635]", $"\"{Block}\"");
        recordings.AddResult("state_getRuntimeVersion", $"[\"{Block}\"]",
            Fixtures.Recorded(Fixtures.Json("block-7959635-recordings.json"), "state_getRuntimeVersion", $"[\"{Parent}\"]")!.ToJsonString());
        return await ReplayNode.StartAsync(recordings);
    }

    private string[] Args(ReplayNode node, params string[] args) =>
        [.. args, "--url", node.Url.ToString(), "--cache-dir", _cache, "--timeout", "5"];

    [Fact]
    public async Task Events_json_is_the_independent_decoding_of_every_record()
    {
        await using var node = await StartNodeAsync();

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));

        exit.ShouldBe(0, error);
        var expected = Fixtures.Json("block-7959635-events.expected.json");
        JsonNode.DeepEquals(JsonNode.Parse(output), expected).ShouldBeTrue();
    }

    [Fact]
    public async Task Metadata_is_fetched_once_per_runtime_and_then_read_from_the_cache()
    {
        await using var node = await StartNodeAsync();

        var first = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));
        var calls = node.Requests.Count(r => r.Contains("Metadata_metadata_at_version", StringComparison.Ordinal));
        var second = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));

        first.ExitCode.ShouldBe(0, first.Error);
        second.ExitCode.ShouldBe(0, second.Error);
        calls.ShouldBe(1);
        node.Requests.Count(r => r.Contains("Metadata_metadata_at_version", StringComparison.Ordinal)).ShouldBe(1);
        Directory.GetFiles(_cache, "spec-393.scale", SearchOption.AllDirectories).Length.ShouldBe(1);
        second.Output.ShouldBe(first.Output);
    }

    [Fact]
    public async Task Events_table_groups_records_by_extrinsic()
    {
        await using var node = await StartNodeAsync();

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635"));

        exit.ShouldBe(0, error);
        output.ShouldContain("block 7959635 " + Block + " (spec 393): 182 event records");
        output.ShouldContain("Initialization (");
        output.ShouldContain("extrinsic 10 (");
        output.ShouldContain("SubtensorModule.StakeRemoved");
    }

    [Fact]
    public async Task Head_names_the_chain_blocks_and_spec()
    {
        await using var node = await StartNodeAsync();

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "head", "--json"));

        exit.ShouldBe(0, error);
        var head = JsonNode.Parse(output)!;
        head["chain"]!.GetValue<string>().ShouldBe("Bittensor");
        head["best"]!["number"]!.GetValue<long>().ShouldBe(7_959_635);
        head["finalized"]!["hash"]!.GetValue<string>().ShouldBe(Block);
        head["spec_version"]!.GetValue<long>().ShouldBe(393);
    }

    [Fact]
    public async Task Storage_reads_one_value_with_its_key_and_raw_bytes()
    {
        await using var node = await StartNodeAsync();
        // SubtensorModule.SubnetworkN(52) at the block, answered by the test: 0x0001 = 256.
        var key = "0x658faa385070e074c85bf6b568cf0555a1048e9d244171852dfe8db314dc68ca3400";
        node.Recordings.AddResult("state_getStorage", $"[\"{key}\", \"{Block}\"]", "\"0x0001\"");

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "storage", "--block", "7959635", "SubtensorModule", "SubnetworkN", "52", "--json"));

        exit.ShouldBe(0, error);
        var read = JsonNode.Parse(output)!;
        read["key"]!.GetValue<string>().ShouldBe(key);
        read["raw"]!.GetValue<string>().ShouldBe("0x0001");
        read["value"]!.GetValue<long>().ShouldBe(256);
        read["spec_version"]!.GetValue<long>().ShouldBe(393);
    }

    [Fact]
    public async Task Storage_of_an_absent_key_is_the_metadata_default()
    {
        await using var node = await StartNodeAsync();
        var key = "0x658faa385070e074c85bf6b568cf05557641384bb339f3758acddfd7053d33173400"; // Tempo(52)
        node.Recordings.AddResult("state_getStorage", $"[\"{key}\", \"{Block}\"]", "null");

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "storage", "--block", "7959635", "SubtensorModule", "Tempo", "52"));

        exit.ShouldBe(0, error);
        output.ShouldContain("SubtensorModule.Tempo(52) = 360 (absent: the metadata default)");
    }

    [Fact]
    public async Task Storage_lists_a_map_under_fewer_keys()
    {
        await using var node = await StartNodeAsync();
        var prefix = "0x658faa385070e074c85bf6b568cf0555a1e7036061f484bc3048a64b64e35ec43400"; // Weights(52, *)
        node.Recordings.AddResult("state_getKeysPaged", $"[\"{prefix}\", 101, null, \"{Block}\"]", $"[\"{prefix}0000\", \"{prefix}0100\"]");
        node.Recordings.AddResult("state_queryStorageAt", $"[[\"{prefix}0000\", \"{prefix}0100\"], \"{Block}\"]",
            $"[{{\"block\": \"{Block}\", \"changes\": [[\"{prefix}0000\", \"0x04010000ff\"], [\"{prefix}0100\", \"0x00\"]]}}]");

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "storage", "--block", "7959635", "SubtensorModule", "Weights", "52", "--json"));

        exit.ShouldBe(0, error);
        var entries = JsonNode.Parse(output)!["entries"]!.AsArray();
        entries.Count.ShouldBe(2);
        JsonNode.DeepEquals(entries[0]!["keys"], JsonNode.Parse("[52, 0]")).ShouldBeTrue();
        JsonNode.DeepEquals(entries[0]!["value"], JsonNode.Parse("[[1, 65280]]")).ShouldBeTrue(entries[0]!["value"]!.ToJsonString());
        JsonNode.DeepEquals(entries[1]!["value"], JsonNode.Parse("[]")).ShouldBeTrue();
    }

    [Theory]
    [InlineData(new[] { "chain", "storage", "--block", "7959635", "SubtensorModule", "NoSuchItem" }, "SubtensorModule.NoSuchItem: storage item 'SubtensorModule.NoSuchItem' is not in this runtime's metadata")]
    [InlineData(new[] { "chain", "storage", "--block", "7959635", "SubtensorModule", "Uids", "52", "not-an-address" }, "KEY: key 2 of SubtensorModule.Uids: 'not-an-address' is not an SS58 account address")]
    [InlineData(new[] { "chain", "storage", "--block", "7959635", "SubtensorModule", "Tempo", "70000" }, "KEY: key 1 of SubtensorModule.Tempo: 70000 is out of range for u16")]
    [InlineData(new[] { "chain", "events", "--block", "-1" }, "--block: must be 0 or more")]
    public async Task Bad_input_is_one_line_and_exit_2(string[] args, string message)
    {
        await using var node = await StartNodeAsync();

        var (exit, _, error) = await LedgerProcess.RunAsync(Args(node, args));

        exit.ShouldBe(2, error);
        error.ShouldContain(message);
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task No_url_says_how_to_give_one()
    {
        var (exit, _, error) = await LedgerProcess.RunAsync("chain", "head");

        exit.ShouldBe(2);
        error.Trim().ShouldBe("ledger: --url: no node given; pass --url ws://HOST:PORT or set $LEDGER_CHAIN_URL");
    }

    [Fact]
    public async Task A_node_that_stalls_is_named_with_the_call_and_the_wait()
    {
        await using var node = await StartNodeAsync();
        node.Stall();

        var (exit, output, error) = await LedgerProcess.RunAsync([.. Args(node, "chain", "head")[..^2], "--timeout", "0.5"]);

        exit.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain("ledger: chain: system_chain: no answer after waiting 500 ms");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task A_node_that_answers_garbage_is_said_not_to_speak_JSON()
    {
        await using var node = await StartNodeAsync();
        node.AnswerGarbage();

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));

        exit.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain("answered with something that is not JSON");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task A_node_that_keeps_dropping_the_connection_ends_in_one_line_and_nothing_printed()
    {
        await using var node = await StartNodeAsync();
        node.DropConnection(afterAnswers: 0, times: int.MaxValue, midAnswer: true);

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));

        exit.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain("ledger: chain: ");
        error.ShouldContain("closed the connection");
        error.Trim().Split('\n').Length.ShouldBe(1);
    }

    [Fact]
    public async Task A_dropped_connection_is_reconnected_and_the_answer_is_whole()
    {
        await using var node = await StartNodeAsync();
        node.DropConnection(afterAnswers: 3, times: 1, midAnswer: true);

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));

        exit.ShouldBe(0, error);
        node.Connections.ShouldBeGreaterThan(1);
        JsonNode.DeepEquals(JsonNode.Parse(output), Fixtures.Json("block-7959635-events.expected.json")).ShouldBeTrue();
    }

    [Fact]
    public async Task A_pruned_block_says_an_archive_node_is_needed()
    {
        await using var node = await StartNodeAsync();
        node.AnswerError(4003, "State already discarded for 0x8161", method: "state_getStorage");

        var (exit, _, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635"));

        exit.ShouldBe(1);
        error.ShouldContain("has pruned this block's state");
        error.ShouldContain("archive node");
    }

    [Fact]
    public async Task A_node_that_is_not_there_is_named_by_host_and_port()
    {
        var (exit, _, error) = await LedgerProcess.RunAsync("chain", "head", "--url", "ws://127.0.0.1:1", "--cache-dir", _cache);

        exit.ShouldBe(1);
        error.ShouldContain("ledger: chain: cannot reach the node at 127.0.0.1:1");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task A_node_with_only_the_block_recording_and_state_getMetadata_is_enough()
    {
        // What a recorder of one block holds: its hash, header, runtime version and events; metadata the plain way.
        var recordings = ReplayRecordings.FromFile(Fixtures.ChainFile("block-7959635-recordings.json"));
        var v15 = Fixtures.HexFile("metadata-spec393-v15-at-version.hex");
        var inner = new Bittensor.Ledger.Chain.Scale.ScaleReader(v15);
        inner.ReadU8();
        var plain = "0x" + Convert.ToHexStringLower(inner.ReadByteVec());
        recordings.AddResult("state_getMetadata", $"[\"{Parent}\"]", $"\"{plain}\"");
        await using var node = await ReplayNode.StartAsync(recordings);

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));

        exit.ShouldBe(0, error);
        JsonNode.DeepEquals(JsonNode.Parse(output), Fixtures.Json("block-7959635-events.expected.json")).ShouldBeTrue();
    }

    [Fact]
    public async Task Metadata_of_another_spec_is_refused_rather_than_misread()
    {
        var recordings = ReplayRecordings.FromFile(Fixtures.ChainFile("block-7959635-recordings.json"));
        var wrong = File.ReadAllText(Fixtures.ChainFile("metadata-spec343-v15-at-version.hex")).Trim();
        recordings.AddResult("state_call", $"[\"Metadata_metadata_at_version\", \"0x0f000000\", \"{Parent}\"]", $"\"{wrong}\"");
        await using var node = await ReplayNode.StartAsync(recordings);

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));

        exit.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain("ledger: chain: no metadata of spec 393 for block 7959635");
        error.ShouldContain("is of spec 343, not 393");
    }

    [Fact]
    public async Task A_node_that_knows_only_state_getStorageAt_is_asked_by_that_name()
    {
        await using var node = await StartNodeAsync();
        node.AnswerError(-32601, "Method not found", method: "state_getStorage");

        var (exit, output, error) = await LedgerProcess.RunAsync(Args(node, "chain", "events", "--block", "7959635", "--json"));

        exit.ShouldBe(0, error);
        node.Requests.ShouldContain(r => r.Contains("state_getStorageAt", StringComparison.Ordinal));
        JsonNode.DeepEquals(JsonNode.Parse(output), Fixtures.Json("block-7959635-events.expected.json")).ShouldBeTrue();
    }
}
