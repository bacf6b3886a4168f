using Bittensor.Ledger.Chain.Rpc;
using Bittensor.Ledger.Chain.Tests.Replay;

namespace Bittensor.Ledger.Chain.Tests.Rpc;

/// <summary>Answers added to the replay node by the test, including the real recorded metadata blobs.</summary>
public sealed class ProgrammedAnswersTests : IAsyncLifetime
{
    private const string Hash = "0x81617dc8ede17528d8f8aab64c84285a166f73e120ff6d2acd11e3419a95abec";

    private ReplayNode _node = null!;
    private ChainRpcClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _node = await ReplayNode.StartAsync();
        _client = await ChainRpcClient.ConnectAsync(_node.Url);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Metadata_comes_back_as_the_recorded_bytes_with_the_meta_magic()
    {
        var hex = File.ReadAllText(Fixtures.ChainFile("metadata-spec343-v14.hex")).Trim();
        _node.Recordings.AddResult("state_getMetadata", $"[\"{Hash}\"]", $"\"{hex}\"");

        var metadata = await _client.GetMetadataAsync(Hash, Ct);

        metadata.Length.ShouldBe((hex.Length - 2) / 2);
        metadata[..4].ShouldBe("meta"u8.ToArray());
        metadata[4].ShouldBe((byte)14);
    }

    [Fact]
    public async Task Metadata_at_version_15_is_a_state_call_returning_an_option_of_opaque_metadata()
    {
        var hex = File.ReadAllText(Fixtures.ChainFile("metadata-spec393-v15-at-version.hex")).Trim();
        _node.Recordings.AddResult("state_call", $"[\"Metadata_metadata_at_version\", \"0x0f000000\", \"{Hash}\"]",
            $"\"{hex}\"");

        var answer = await _client.StateCallAsync("Metadata_metadata_at_version", [15, 0, 0, 0], Hash, Ct);

        // Some(Vec<u8>): 0x01, a compact length, then "meta" and version 15.
        answer[0].ShouldBe((byte)1);
        var magic = answer.AsSpan().IndexOf("meta"u8);
        magic.ShouldBeInRange(2, 5);
        answer[magic + 4].ShouldBe((byte)15);
    }

    [Fact]
    public async Task Finalized_head_and_chain_name_are_read()
    {
        _node.Recordings.AddResult("chain_getFinalizedHead", "[]", $"\"{Hash}\"");
        _node.Recordings.AddResult("system_chain", "[]", "\"Bittensor\"");

        (await _client.GetFinalizedHeadAsync(Ct)).ShouldBe(Hash);
        (await _client.SystemChainAsync(Ct)).ShouldBe("Bittensor");
    }

    [Fact]
    public async Task Absent_storage_is_null()
    {
        const string key = "0x658faa385070e074c85bf6b568cf0555" + "f1577fbf1d628fdd0100";
        _node.Recordings.AddResult("state_getStorage", $"[\"{key}\", \"{Hash}\"]", "null");

        (await _client.GetStorageAsync(Hex.Decode(key), Hash, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_block_number_past_the_head_fails_naming_the_number()
    {
        _node.Recordings.AddResult("chain_getBlockHash", "[99999999]", "null");

        var e = await Should.ThrowAsync<ChainRpcException>(() => _client.GetBlockHashAsync(99_999_999, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.BadAnswer);
        e.Message.ShouldBe("chain_getBlockHash at block 99999999: the node has no block with this number; " +
                           "is it past the chain's head?");
    }

    [Fact]
    public async Task An_answer_of_the_wrong_shape_is_a_bad_answer_naming_what_was_expected()
    {
        _node.Recordings.AddResult("state_getRuntimeVersion", $"[\"{Hash}\"]", "{\"specName\":\"node-subtensor\"}");

        var e = await Should.ThrowAsync<ChainRpcException>(() => _client.GetRuntimeVersionAsync(Hash, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.BadAnswer);
        e.Message.ShouldStartWith($"state_getRuntimeVersion at block {Hash}: expected a runtime version but the node " +
                                  "answered {\"specName\":\"node-subtensor\"}");
    }

    [Fact]
    public async Task A_handler_computes_answers_from_the_params_and_falls_back_to_the_recordings()
    {
        var chain = new Dictionary<string, string> { ["0x01"] = "0x2a", ["0x02"] = "0x0004" };
        _node.Handle("state_getStorage", p => chain.TryGetValue(p[0]!.GetValue<string>(), out var v) ? $"\"{v}\"" : null);
        _node.Recordings.AddResult("state_getStorage", $"[\"0x03\", \"{Hash}\"]", "\"0xff\"");

        var values = await _client.BatchAsync([
            new RpcCall("state_getStorage", ["0x01", Hash]),
            new RpcCall("state_getStorageAt", ["0x02", Hash]),
            new RpcCall("state_getStorage", ["0x03", Hash]),
        ], Ct);

        values.Select(v => v.GetString()).ShouldBe(["0x2a", "0x0004", "0xff"]);
    }

    [Fact]
    public async Task A_recorded_error_response_is_served_as_a_json_rpc_error()
    {
        _node.Recordings.AddResponse("chain_getHeader", $"[\"{Hash}\"]",
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"Invalid params\",\"data\":\"bad hash\"}}");

        var e = await Should.ThrowAsync<ChainRpcException>(() => _client.GetHeaderAsync(Hash, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.NodeError);
        e.ErrorCode.ShouldBe(-32602);
        e.NodeMessage.ShouldBe("Invalid params: bad hash");
    }
}
