using System.Text.Json;
using Bittensor.Ledger.Chain.Rpc;
using Bittensor.Ledger.Chain.Tests.Replay;

namespace Bittensor.Ledger.Chain.Tests.Rpc;

/// <summary>The client against a replay node serving the real recordings of mainnet block 7,959,635 (spec 393).</summary>
public sealed class RecordedBlockTests : IAsyncLifetime
{
    private const string BlockHash = "0x81617dc8ede17528d8f8aab64c84285a166f73e120ff6d2acd11e3419a95abec";
    private const string ParentHash = "0x837290251c877af937f4a038bb95d6e7e8f51aa5652d0e42976ab9bba3b7ecf0";
    private const string SystemEventsKey = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7";

    private ReplayNode _node = null!;
    private ChainRpcClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await ReplayNode.StartAsync(Fixtures.ChainFile("block-7959635-recordings.json"));
        _client = await ChainRpcClient.ConnectAsync(_node.Url);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Block_hash_of_7959635_is_the_recorded_one()
    {
        (await _client.GetBlockHashAsync(7_959_635, Ct)).ShouldBe(BlockHash);
    }

    [Fact]
    public async Task Best_block_is_the_recorded_head_and_its_parent_is_the_block_after_7959635()
    {
        var head = await _client.GetHeadAsync(Ct);
        var header = await _client.GetHeaderAsync(head, Ct);

        head.ShouldBe("0xcfbaa116a38a6a8621ca991833bb41c4d16d6abec22ecc725a5adc65d5c842ce");
        header.Number.ShouldBe(7_959_637);
        header.ParentHash.ShouldBe("0x3110e84f7a69f106643913a9234563d502f43c6329581d6a3f41f7d0197e6f69");
    }

    [Fact]
    public async Task Header_number_is_parsed_from_hex_and_names_the_parent()
    {
        var header = await _client.GetHeaderAsync(BlockHash, Ct);

        header.Number.ShouldBe(7_959_635);
        header.ParentHash.ShouldBe(ParentHash);
        header.StateRoot.ShouldBe("0xeb8a0974d8d3357df655dc51f60c431053771d76e8fca3d5121a4c5677d51c7c");
        header.DigestLogs.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Runtime_version_at_the_parent_is_spec_393()
    {
        var version = await _client.GetRuntimeVersionAsync(ParentHash, Ct);

        version.SpecName.ShouldBe("node-subtensor");
        version.SpecVersion.ShouldBe(393u);
        version.TransactionVersion.ShouldBe(1u);
        version.Apis.ShouldContain(new RuntimeApi("0xdf6acb689907609b", 5));
    }

    [Fact]
    public async Task System_events_storage_returns_the_recorded_bytes()
    {
        var expected = RecordedResult("state_getStorageAt").GetString()!;

        var bytes = await _client.GetStorageAsync(Hex.Decode(SystemEventsKey), BlockHash, Ct);

        bytes.ShouldNotBeNull();
        Hex.Encode(bytes).ShouldBe(expected);
        bytes.Length.ShouldBeGreaterThan(1000);
        _node.Requests.ShouldContain(r => r.StartsWith("state_getStorage [", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_node_answers_state_getStorageAt_as_recorded_too()
    {
        var result = await _client.CallAsync(
            new RpcCall("state_getStorageAt", [SystemEventsKey, BlockHash], BlockHash), Ct);

        result.GetString().ShouldBe(RecordedResult("state_getStorageAt").GetString());
    }

    [Fact]
    public async Task A_batch_returns_every_result_in_call_order()
    {
        var results = await _client.BatchAsync([
            new RpcCall("chain_getHeader", [BlockHash], BlockHash),
            new RpcCall("chain_getBlockHash", [7_959_635]),
            RpcCall.Of("chain_getHead"),
        ], Ct);

        results.Count.ShouldBe(3);
        results[0].GetProperty("number").GetString().ShouldBe("0x797453");
        results[1].GetString().ShouldBe(BlockHash);
        results[2].GetString().ShouldBe("0xcfbaa116a38a6a8621ca991833bb41c4d16d6abec22ecc725a5adc65d5c842ce");
        _node.Answers.ShouldBe(1);
    }

    [Fact]
    public async Task A_batch_with_one_failing_call_reports_that_call()
    {
        var e = await Should.ThrowAsync<ChainRpcException>(() => _client.BatchAsync([
            new RpcCall("chain_getBlockHash", [7_959_635], "7959635"),
            new RpcCall("chain_getBlockHash", [1], "1"),
        ], Ct));

        e.Method.ShouldBe("chain_getBlockHash");
        e.Block.ShouldBe("1");
        e.Message.ShouldStartWith("chain_getBlockHash at block 1: the node answered JSON-RPC error -32601: ");
    }

    [Fact]
    public async Task Many_parallel_calls_all_complete_and_stay_within_the_in_flight_bound()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, new ChainRpcOptions { MaxInFlight = 4 }, Ct);
        _node.AnswerDelay = TimeSpan.FromMilliseconds(5);

        var hashes = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetBlockHashAsync(7_959_635, Ct)));

        hashes.ShouldAllBe(h => h == BlockHash);
        _node.MaxConcurrentRequests.ShouldBeLessThanOrEqualTo(4);
        _node.Answers.ShouldBe(100);
    }

    [Fact]
    public async Task A_call_the_recordings_do_not_hold_fails_naming_method_and_block()
    {
        var e = await Should.ThrowAsync<ChainRpcException>(() => _client.GetHeaderAsync("0x" + new string('0', 64), Ct));

        e.Failure.ShouldBe(ChainRpcFailure.NodeError);
        e.ErrorCode.ShouldBe(ReplayNode.NoRecordingCode);
        e.Message.ShouldStartWith("chain_getHeader at block 0x0000");
        e.Message.ShouldContain("no recording");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonElement RecordedResult(string method)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Fixtures.ChainFile("block-7959635-recordings.json")));
        foreach (var entry in doc.RootElement.GetProperty(method).EnumerateObject())
            return entry.Value.GetProperty("result").Clone();
        throw new InvalidOperationException($"no recording of {method}");
    }
}
