using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;
using Bittensor.Ledger.Chain.Storage;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Decoding;

/// <summary>The fixture README's expected values 2–8, decoded from the recorded answers with the recorded metadata.</summary>
public sealed class StorageTests
{
    private const string Hotkey = "5Cf4LPRv6tiyuFsfLRQaFYEEn3zJRGi4bAE9DwbbKmbCSHpV";

    private static readonly Lazy<RuntimeMetadata> Spec343 = new(() => RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec343-v14.hex")));
    private static readonly Lazy<RuntimeMetadata> Spec343V15 = new(() => RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec343-v15-at-version.hex")));
    private static readonly Lazy<JsonNode> Sdk = new(() => Fixtures.Json("sdk-recordings.json"));

    private static JsonNode Recordings(string test) => Sdk.Value[test] ?? throw new KeyNotFoundException(test);

    private static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);

    [Fact]
    public void SubtensorModule_prefix_is_twox128_of_the_pallet_name()
    {
        Hex(StorageHashing.Twox128("SubtensorModule"u8)).ShouldBe("0x658faa385070e074c85bf6b568cf0555");
    }

    [Fact]
    public void SubnetworkN_of_subnet_1_is_1024()
    {
        var keys = new StorageKeys(Spec343.Value);
        var entry = Spec343.Value.Storage("SubtensorModule", "SubnetworkN");

        var key = keys.KeyFromText(entry, ["1"]);

        Hex(key).ShouldEndWith("0100");
        var value = Fixtures.Recorded(Recordings("subnetwork_n"), "state_getStorageAt", $"[\"{Hex(key)}\", null]")!;
        value.GetValue<string>().ShouldBe("0x0004");
        keys.DecodeValue(entry, Fixtures.FromHex(value.GetValue<string>()))!.GetValue<long>().ShouldBe(1024);
    }

    [Fact]
    public void LastUpdate_of_subnet_1_at_block_6553223_starts_at_block_2543521()
    {
        var keys = new StorageKeys(Spec343.Value);
        var entry = Spec343.Value.Storage("SubtensorModule", "LastUpdate");
        var key = Hex(keys.KeyFromText(entry, ["1"]));

        var value = Fixtures.Recorded(
            Recordings("blocks_since_last_update"),
            "state_getStorageAt",
            $"[\"{key}\", \"0x2830271e820b419253b79cbafea83f726354bbef26eb318835ffa774288de9ff\"]")!;
        var updates = keys.DecodeValue(entry, Fixtures.FromHex(value.GetValue<string>())).ShouldBeOfType<JsonArray>();

        updates.Count.ShouldBe(1024);
        updates[0]!.GetValue<long>().ShouldBe(2_543_521);
        (6_553_223 - updates[0]!.GetValue<long>()).ShouldBe(4_009_702);
    }

    [Fact]
    public void Uids_key_is_built_byte_for_byte_and_holds_uid_29()
    {
        var keys = new StorageKeys(Spec343.Value);
        var entry = Spec343.Value.Storage("SubtensorModule", "Uids");
        entry.Hashers.ShouldBe([StorageHasher.Identity, StorageHasher.Blake2_128Concat]);

        var key = Hex(keys.KeyFromText(entry, ["14", Hotkey]));

        key.ShouldBe("0x658faa385070e074c85bf6b568cf0555aab1b4e78e1ea8305462ee53b3686dc80e005d3e588dc49748e3395ac2bc5a2343741a33474e4a857009da52aaa4080f176465f99c09763e03b9cd5ee038cec4093e");
        var value = Fixtures.Recorded(Recordings("get_neuron_for_pubkey_and_subnet"), "state_getStorageAt", $"[\"{key}\", null]")!;
        entry.IsOptional.ShouldBeTrue();
        keys.DecodeValue(entry, Fixtures.FromHex(value.GetValue<string>()))!.GetValue<long>().ShouldBe(29);
        keys.DecodeValue(entry, null).ShouldBeNull();

        var parts = keys.DecodeKey(entry, Fixtures.FromHex(key));
        parts[0]!.GetValue<long>().ShouldBe(14);
        parts[1]!.GetValue<string>().ShouldBe(Hotkey);
    }

    [Fact]
    public void IsNetworkMember_of_the_hotkey_is_true_on_subnet_14_only()
    {
        var keys = new StorageKeys(Spec343.Value);
        var entry = Spec343.Value.Storage("SubtensorModule", "IsNetworkMember");
        var prefix = Hex(keys.KeyFromText(entry, [Hotkey]));
        var answer = Recordings("is_hotkey_registered_any")["state_queryStorageAt"]!.AsObject().Single().Value!["result"]!;
        var changes = answer[0]!["changes"]!.AsArray();

        changes.Count.ShouldBe(100);
        var members = new List<long>();
        foreach (var change in changes)
        {
            var key = change![0]!.GetValue<string>();
            key.ShouldStartWith(prefix);
            var parts = keys.DecodeKey(entry, Fixtures.FromHex(key));
            parts[0]!.GetValue<string>().ShouldBe(Hotkey);
            var raw = change[1]?.GetValue<string>();
            if (keys.DecodeValue(entry, raw is null ? null : Fixtures.FromHex(raw))!.GetValue<bool>())
            {
                members.Add(parts[1]!.GetValue<long>());
            }
        }

        members.ShouldBe([14]);
    }

    [Fact]
    public void An_absent_MechanismCountCurrent_is_the_metadata_default_of_1()
    {
        var keys = new StorageKeys(Spec343.Value);
        var entry = Spec343.Value.Storage("SubtensorModule", "MechanismCountCurrent");
        var key = Hex(keys.KeyFromText(entry, ["1"]));

        key.ShouldEndWith("f1577fbf1d628fdd0100");
        var recorded = Fixtures.Recorded(
            Recordings("metagraph"),
            "state_getStorageAt",
            $"[\"{key}\", \"0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0\"]");
        recorded.ShouldBeNull();
        entry.IsOptional.ShouldBeFalse();
        keys.DecodeValue(entry, null)!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public void NeuronInfo_runtime_call_decodes_uid_29_of_subnet_14()
    {
        var api = Spec343V15.Value.FindApi("NeuronInfoRuntimeApi_get_neuron").ShouldNotBeNull();
        var args = string.Concat(api.Inputs.Select((p, i) =>
            Convert.ToHexStringLower(KeyEncoder.Encode(Spec343V15.Value.Types, p.Type, i == 0 ? "14" : "29"))));
        args.ShouldBe("0e001d00");
        var result = Fixtures.Recorded(Recordings("get_neuron_for_pubkey_and_subnet"), "state_call", "[\"NeuronInfoRuntimeApi_get_neuron\", \"0e001d00\", null]")!;

        var neuron = new ValueDecoder(Spec343V15.Value.Types)
            .DecodeAll(api.Output, Fixtures.FromHex(result.GetValue<string>()), api.CallName)
            .ShouldBeOfType<JsonObject>();

        neuron["hotkey"]!.GetValue<string>().ShouldBe(Hotkey);
        neuron["coldkey"]!.GetValue<string>().ShouldBe("5CKhH8nKAhXLmqxwaXzFtVFgxqwwnyckXG8qLpmGtzVJH9Ri");
        neuron["uid"]!.GetValue<long>().ShouldBe(29);
        neuron["netuid"]!.GetValue<long>().ShouldBe(14);
        neuron["active"]!.GetValue<bool>().ShouldBeTrue();
        neuron["rank"]!.GetValue<long>().ShouldBe(65521);
        neuron["emission"]!.GetValue<long>().ShouldBe(184_855_361_378);
        neuron["incentive"]!.GetValue<long>().ShouldBe(65521);
        neuron["consensus"]!.GetValue<long>().ShouldBe(65520);
        neuron["trust"]!.GetValue<long>().ShouldBe(65533);
        neuron["validator_trust"]!.GetValue<long>().ShouldBe(65493);
        neuron["dividends"]!.GetValue<long>().ShouldBe(16327);
        neuron["last_update"]!.GetValue<long>().ShouldBe(6_522_124);
        neuron["validator_permit"]!.GetValue<bool>().ShouldBeTrue();
        JsonNode.DeepEquals(neuron["weights"], JsonNode.Parse("[[2,170],[21,16],[29,65535],[38,1],[92,7]]")).ShouldBeTrue(neuron["weights"]!.ToJsonString());
        var bonds = neuron["bonds"].ShouldBeOfType<JsonArray>();
        bonds.Count.ShouldBe(32);
        JsonNode.DeepEquals(bonds[0], JsonNode.Parse("[1,65535]")).ShouldBeTrue();
        JsonNode.DeepEquals(bonds[1], JsonNode.Parse("[2,35462]")).ShouldBeTrue();
        var stake = neuron["stake"].ShouldBeOfType<JsonArray>();
        stake.Count.ShouldBe(1);
        stake[0]![1]!.GetValue<long>().ShouldBe(293_397_769_457_395);
        neuron["pruning_score"]!.GetValue<long>().ShouldBe(65535);
    }

    [Fact]
    public void Selective_mechagraph_of_subnet_1_is_Apex_with_1024_uids()
    {
        var api = Spec343V15.Value.FindApi("SubnetInfoRuntimeApi_get_selective_mechagraph").ShouldNotBeNull();
        var (paramsJson, answer) = Recordings("metagraph")["state_call"]!.AsObject()
            .Single(p => p.Key.Contains("get_selective_mechagraph", StringComparison.Ordinal));

        var graph = new ValueDecoder(Spec343V15.Value.Types)
            .DecodeAll(api.Output, Fixtures.FromHex(answer!["result"]!.GetValue<string>()), api.CallName)
            .ShouldBeOfType<JsonObject>();

        paramsJson.ShouldContain("0100");
        Name(graph["name"]).ShouldBe("Apex");
        graph["tempo"]!.GetValue<long>().ShouldBe(99);
        graph["last_step"]!.GetValue<long>().ShouldBe(6_852_597);
        graph["blocks_since_last_step"]!.GetValue<long>().ShouldBe(93);
        graph["kappa"]!.GetValue<long>().ShouldBe(32767);
        var emission = graph["emission"].ShouldBeOfType<JsonArray>();
        emission.Count.ShouldBe(1024);
        emission.Sum(e => e!.GetValue<long>()).ShouldBe(82_000_457_507);
        graph["incentives"].ShouldBeOfType<JsonArray>()[395]!.GetValue<long>().ShouldBe(65535);
    }

    /// <summary>The mechagraph's strings are <c>Vec&lt;Compact&lt;u8&gt;&gt;</c>: decoded as an array of byte values.</summary>
    private static string Name(JsonNode? node) =>
        new([.. node.ShouldBeOfType<JsonArray>().Select(b => (char)b!.GetValue<long>())]);
}
