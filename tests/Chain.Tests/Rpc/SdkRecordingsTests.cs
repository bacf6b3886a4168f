using System.Buffers.Binary;
using Bittensor.Ledger.Chain.Rpc;
using Bittensor.Ledger.Chain.Tests.Replay;

namespace Bittensor.Ledger.Chain.Tests.Rpc;

/// <summary>The client against single sections of sdk-recordings.json (the bittensor SDK's own recorded tests).</summary>
public sealed class SdkRecordingsTests
{
    private const string SubtensorModule = "658faa385070e074c85bf6b568cf0555";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_block_hash_section_gives_the_hash_of_6522038_and_the_head_at_spec_315()
    {
        await using var node = await Section("get_block_hash");
        await using var client = await ChainRpcClient.ConnectAsync(node.Url, cancellationToken: Ct);

        (await client.GetBlockHashAsync(6_522_038, Ct))
            .ShouldBe("0x4f0bbe5e96a78ca4cc1df9a7e757d335165d6d71c545cf6eb4794986424bcd29");
        var head = await client.GetHeaderAsync("0x3effc3f7c4d0c71353ad256b5c80371be83a84dba4e368d49de5abbf16fb741e", Ct);
        head.Number.ShouldBe(0x638585);
        (await client.GetRuntimeVersionAsync(head.ParentHash, Ct)).SpecVersion.ShouldBe(315u);
    }

    [Fact]
    public async Task Blocks_since_last_update_section_gives_LastUpdate_of_subnet_1_at_6553223()
    {
        await using var node = await Section("blocks_since_last_update");
        await using var client = await ChainRpcClient.ConnectAsync(node.Url, cancellationToken: Ct);

        var hash = await client.GetBlockHashAsync(6_553_223, Ct);
        hash.ShouldBe("0x2830271e820b419253b79cbafea83f726354bbef26eb318835ffa774288de9ff");
        var best = await client.GetHeaderAsync(null, Ct);
        best.Number.ShouldBe(6_553_223);

        var lastUpdate = await client.GetStorageAsync(
            Hex.Decode(SubtensorModule + "696e262a16e52255a69d8acd79354146" + "0100"), hash, Ct);

        // Vec<u64>: compact length 1024 (0x0110), then element 0 = 2,543,521 (fixture README, value 3).
        lastUpdate.ShouldNotBeNull();
        lastUpdate.Length.ShouldBe(2 + 1024 * 8);
        lastUpdate[..2].ShouldBe(new byte[] { 0x01, 0x10 });
        BinaryPrimitives.ReadUInt64LittleEndian(lastUpdate.AsSpan(2)).ShouldBe(2_543_521ul);
        (best.Number - 2_543_521).ShouldBe(4_009_702);
    }

    [Fact]
    public async Task Weights_section_answers_keys_paged_query_storage_at_and_system_chain()
    {
        const string head = "0x1b3f85dc8c83cada6d1782c955973a509a37c62af3d6ba29f5fd816aee37eb3b";
        var prefix = Hex.Decode("0x" + SubtensorModule + "a1e7036061f484bc3048a64b64e35ec41700");
        await using var node = await Section("weights");
        await using var client = await ChainRpcClient.ConnectAsync(node.Url, cancellationToken: Ct);

        (await client.SystemChainAsync(Ct)).ShouldBe("Bittensor");
        var keys = await client.GetKeysPagedAsync(prefix, 100, prefix, head, Ct);
        keys.Count.ShouldBe(1);
        Hex.Encode(keys[0]).ShouldBe("0x" + SubtensorModule + "a1e7036061f484bc3048a64b64e35ec417000a00");

        var values = await client.QueryStorageAtAsync(keys, head, Ct);

        values.Count.ShouldBe(1);
        values[0].Key.ShouldBe(keys[0]);
        values[0].Value.ShouldBe(Hex.Decode("0x040a00ffff"));
    }

    [Fact]
    public async Task State_call_matches_a_recording_whose_argument_has_no_0x_and_whose_hash_is_null()
    {
        await using var node = await Section("get_neuron_for_pubkey_and_subnet");
        await using var client = await ChainRpcClient.ConnectAsync(node.Url, cancellationToken: Ct);

        var neuron = await client.StateCallAsync("NeuronInfoRuntimeApi_get_neuron", [0x0e, 0x00, 0x1d, 0x00], null, Ct);

        // Option<NeuronInfo>: Some, then the hotkey of 5Cf4LPRv… (fixture README, value 6).
        neuron[0].ShouldBe((byte)1);
        Hex.Encode(neuron.AsSpan(1, 32)).ShouldBe("0x1a33474e4a857009da52aaa4080f176465f99c09763e03b9cd5ee038cec4093e");
    }

    [Fact]
    public async Task State_call_with_empty_arguments_matches_a_recording_of_0x()
    {
        await using var node = await Section("get_subnet_burn_cost");
        await using var client = await ChainRpcClient.ConnectAsync(node.Url, cancellationToken: Ct);

        var cost = await client.StateCallAsync("SubnetRegistrationRuntimeApi_get_network_registration_cost", [], null, Ct);

        BinaryPrimitives.ReadUInt64LittleEndian(cost).ShouldBe(0x588bd440ul);
    }

    private static Task<ReplayNode> Section(string name) =>
        ReplayNode.StartAsync(ReplayRecordings.FromSection(Fixtures.ChainFile("sdk-recordings.json"), name));
}
