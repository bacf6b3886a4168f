using System.Net;
using System.Net.Sockets;
using Bittensor.Ledger.Chain.Rpc;
using Bittensor.Ledger.Chain.Tests.Replay;

namespace Bittensor.Ledger.Chain.Tests.Rpc;

/// <summary>Nodes that drop the connection, stall, answer garbage or errors, or are not there at all.</summary>
public sealed class FaultyNodeTests : IAsyncLifetime
{
    private const string BlockHash = "0x81617dc8ede17528d8f8aab64c84285a166f73e120ff6d2acd11e3419a95abec";
    private const string SystemEventsKey = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7";

    private static readonly ChainRpcOptions Quick = new()
    {
        MaxReconnectAttempts = 2,
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(10),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    private ReplayNode _node = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _node = await ReplayNode.StartAsync(Fixtures.ChainFile("block-7959635-recordings.json"));

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Dropped_connection_is_reopened_and_the_call_sent_again()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        _node.DropConnection(afterAnswers: 0, times: 1);

        (await client.GetBlockHashAsync(7_959_635, Ct)).ShouldBe(BlockHash);

        _node.Connections.ShouldBe(2);
    }

    [Fact]
    public async Task Calls_in_flight_when_the_socket_drops_all_complete_after_reconnecting()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        _node.AnswerDelay = TimeSpan.FromMilliseconds(20);
        _node.DropConnection(afterAnswers: 3, times: 1);

        var hashes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.GetBlockHashAsync(7_959_635, Ct)));

        hashes.ShouldAllBe(h => h == BlockHash);
        _node.Connections.ShouldBe(2);
    }

    [Fact]
    public async Task A_node_that_always_drops_fails_after_the_bounded_attempts_naming_call_and_node()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        _node.DropConnection(afterAnswers: 0, times: int.MaxValue);

        var e = await Should.ThrowAsync<ChainRpcException>(() => client.GetBlockHashAsync(7_959_635, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.ConnectionLost);
        e.Method.ShouldBe("chain_getBlockHash");
        e.Message.ShouldStartWith("chain_getBlockHash at block 7959635: ");
        e.Message.ShouldContain($"the node at 127.0.0.1:{_node.Url.Port} closed the connection before answering");
        e.Message.ShouldContain("gave up after 3 attempts");
        _node.Connections.ShouldBe(3);
    }

    [Fact]
    public async Task A_node_that_closes_mid_answer_says_so()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick with { MaxReconnectAttempts = 1 }, Ct);
        _node.DropConnection(afterAnswers: 0, times: int.MaxValue, midAnswer: true);

        var e = await Should.ThrowAsync<ChainRpcException>(
            () => client.GetStorageAsync(Hex.Decode(SystemEventsKey), BlockHash, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.ConnectionLost);
        e.Message.ShouldStartWith($"state_getStorage at block {BlockHash}: ");
        e.Message.ShouldContain("closed the connection mid-answer (the node closed the WebSocket: node going away)");
        e.Message.ShouldContain("gave up after 2 attempts");
    }

    [Fact]
    public async Task A_stalled_node_times_out_naming_the_call_and_the_wait()
    {
        await using var client = await ChainRpcClient.ConnectAsync(
            _node.Url, Quick with { RequestTimeout = TimeSpan.FromMilliseconds(300) }, Ct);
        _node.Stall();

        var e = await Should.ThrowAsync<ChainRpcException>(() => client.GetHeaderAsync(BlockHash, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.Timeout);
        e.Block.ShouldBe(BlockHash);
        e.Message.ShouldStartWith($"chain_getHeader at block {BlockHash}: no answer after waiting 300 ms");
    }

    [Fact]
    public async Task A_stalled_batch_times_out_naming_its_methods()
    {
        await using var client = await ChainRpcClient.ConnectAsync(
            _node.Url, Quick with { RequestTimeout = TimeSpan.FromMilliseconds(200) }, Ct);
        _node.Stall();

        var e = await Should.ThrowAsync<ChainRpcException>(() => client.BatchAsync(
            [new RpcCall("chain_getBlockHash", [7_959_635]), new RpcCall("chain_getHeader", [BlockHash])], Ct));

        e.Failure.ShouldBe(ChainRpcFailure.Timeout);
        e.Message.ShouldStartWith("batch of 2 calls (chain_getBlockHash, chain_getHeader): no answer after waiting 200 ms");
    }

    [Fact]
    public async Task A_caller_that_cancels_gets_a_cancellation_not_a_timeout()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        _node.Stall();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var call = client.GetBlockHashAsync(7_959_635, cancel.Token);

        await cancel.CancelAsync();

        var e = await Should.ThrowAsync<Exception>(() => call);
        e.ShouldBeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public async Task A_disposed_client_refuses_calls()
    {
        var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        await client.DisposeAsync();

        await Should.ThrowAsync<ObjectDisposedException>(() => client.GetBlockHashAsync(7_959_635, Ct));
    }

    [Fact]
    public async Task A_garbage_answer_is_reported_as_not_json_and_the_next_call_works()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        _node.AnswerGarbage(times: 1);

        var e = await Should.ThrowAsync<ChainRpcException>(() => client.GetBlockHashAsync(7_959_635, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.NotJson);
        e.Message.ShouldStartWith("chain_getBlockHash at block 7959635: ");
        e.Message.ShouldContain("not JSON (starts with \"<html><body>502 Bad Gateway");
        (await client.GetBlockHashAsync(7_959_635, Ct)).ShouldBe(BlockHash);
    }

    [Fact]
    public async Task A_json_rpc_error_carries_the_nodes_code_and_message()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        _node.AnswerError(-32000, "Client error: Execution failed: Other: Exported method not found", "state_call");

        var e = await Should.ThrowAsync<ChainRpcException>(
            () => client.StateCallAsync("NeuronInfoRuntimeApi_get_neuron", [0x0e, 0x00], BlockHash, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.NodeError);
        e.ErrorCode.ShouldBe(-32000);
        e.NodeMessage.ShouldBe("Client error: Execution failed: Other: Exported method not found");
        e.Message.ShouldBe($"state_call at block {BlockHash}: the node answered JSON-RPC error -32000: " +
                           "Client error: Execution failed: Other: Exported method not found");
        (await client.GetBlockHashAsync(7_959_635, Ct)).ShouldBe(BlockHash);
    }

    [Theory]
    [InlineData(4003, "State already discarded for 0x81617dc8ede17528d8f8aab64c84285a166f73e120ff6d2acd11e3419a95abec")]
    [InlineData(-32000, "Client error: UnknownBlock: State already discarded for BlockId::Hash(0x81617dc8)")]
    public async Task A_pruned_block_says_an_archive_node_is_needed(int code, string nodeMessage)
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        _node.AnswerError(code, nodeMessage, "state_getStorage");

        var e = await Should.ThrowAsync<ChainRpcException>(
            () => client.GetStorageAsync(Hex.Decode(SystemEventsKey), BlockHash, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.PrunedState);
        e.ErrorCode.ShouldBe(code);
        e.Message.ShouldStartWith($"state_getStorage at block {BlockHash}: the node has pruned this block's state");
        e.Message.ShouldContain(nodeMessage);
        e.Message.ShouldContain("use an archive node");
    }

    [Fact]
    public async Task Nothing_listening_gives_a_clear_message_naming_host_and_port()
    {
        var port = FreePort();

        var e = await Should.ThrowAsync<ChainRpcException>(
            () => ChainRpcClient.ConnectAsync($"ws://127.0.0.1:{port}", Quick, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.Unreachable);
        e.Message.ShouldStartWith($"cannot reach the node at 127.0.0.1:{port} (");
        e.Message.ShouldContain("Check that the node is running");
    }

    [Fact]
    public async Task A_node_that_goes_away_for_good_is_reported_unreachable_after_the_reconnect_attempts()
    {
        await using var client = await ChainRpcClient.ConnectAsync(_node.Url, Quick, Ct);
        (await client.GetBlockHashAsync(7_959_635, Ct)).ShouldBe(BlockHash);
        await _node.DisposeAsync();

        var e = await Should.ThrowAsync<ChainRpcException>(() => client.GetBlockHashAsync(7_959_635, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.Unreachable);
        e.Message.ShouldStartWith($"chain_getBlockHash at block 7959635: cannot reach the node at 127.0.0.1:{_node.Url.Port}");
        e.Message.ShouldContain("2 reconnect attempts failed");
    }

    [Theory]
    [InlineData("http://127.0.0.1:9944")]
    [InlineData("not a url")]
    public async Task A_url_that_is_not_a_websocket_url_is_refused_with_an_example(string url)
    {
        var e = await Should.ThrowAsync<ChainRpcException>(() => ChainRpcClient.ConnectAsync(url, Quick, Ct));

        e.Failure.ShouldBe(ChainRpcFailure.Unreachable);
        e.Message.ShouldContain("ws://127.0.0.1:9944");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
