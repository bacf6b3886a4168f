using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Chain.Rpc;
using Bittensor.Ledger.Chain.Tests.Replay;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Readers;

/// <summary>The epoch items of a subnet, read from a test chain encoded with the real spec-393 types.</summary>
public sealed class SubnetEpochReaderTests
{
    private const string Pallet = "SubtensorModule";

    private static TestChain BuildChain()
    {
        var chain = new TestChain(8_000_000);
        for (var uid = 0; uid < 3; uid++)
        {
            chain.Put(Pallet, "Keys", TestChain.Account(uid), "52", $"{uid}");
            chain.Put(Pallet, "BlockAtRegistration", 7_000_000 + uid, "52", $"{uid}");
            chain.Put(Pallet, "TotalHotkeyAlpha", 1_000_000_000L * (uid + 1), TestChain.Account(uid), "52");
            chain.Put(Pallet, "TotalHotkeyAlpha", 5_000_000_000L, TestChain.Account(uid), "0");
        }

        chain.Put(Pallet, "SubnetworkN", 3, "52")
            .Put(Pallet, "MechanismCountCurrent", 2, "52")
            .Put(Pallet, "Kappa", 30_000, "52")
            .Put(Pallet, "Yuma3On", true, "52")
            .Put(Pallet, "TaoWeight", JsonValue.Create("971718665099567868"))
            .Put(Pallet, "LastUpdate", JsonNode.Parse("[7999990, 7999000, 0]"), "52")
            .Put(Pallet, "LastUpdate", JsonNode.Parse("[7999991, 0, 0]"), "4148")
            .Put(Pallet, "Weights", JsonNode.Parse("[[1, 65535]]"), "52", "0")
            .Put(Pallet, "Weights", JsonNode.Parse("[[1, 40000], [2, 25535]]"), "52", "1")
            .Put(Pallet, "Weights", JsonNode.Parse("[[2, 65535]]"), "4148", "0")
            .Put(Pallet, "Bonds", JsonNode.Parse("[[1, 12345]]"), "52", "0")
            .Put(Pallet, "ParentKeys", JsonNode.Parse($"[[\"18446744073709551615\", \"{TestChain.Account(99)}\"]]"), TestChain.Account(1), "52")
            .Put(Pallet, "TotalHotkeyAlpha", 7_000_000_000L, TestChain.Account(99), "52")
            .Put(Pallet, "Incentive", JsonNode.Parse("[0, 65535, 0]"), "52")
            .Put(Pallet, "Dividends", JsonNode.Parse("[65535, 0, 0]"), "52");
        return chain;
    }

    private static async Task<SubnetEpochState> ReadAsync()
    {
        var chain = BuildChain();
        await using var node = await ReplayNode.StartAsync();
        chain.ServeOn(node);
        await using var reader = new ChainReader(await ChainRpcClient.ConnectAsync(node.Url, cancellationToken: TestContext.Current.CancellationToken), cache: null);
        var block = await reader.BlockAsync(chain.Number, TestContext.Current.CancellationToken);
        return await new SubnetEpochReader(reader).ReadAsync(block, 52, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Reads_values_defaults_and_the_runtime_it_ran_under()
    {
        var state = await ReadAsync();

        state.Block.SpecVersion.ShouldBe(393u);
        state.Mechanisms.ShouldBe(2);
        state.Number("SubnetworkN").ShouldBe(3);
        state.Number("Kappa").ShouldBe(30_000);
        state.Value("Yuma3On")!.GetValue<bool>().ShouldBeTrue();
        state.Value("TaoWeight")!.GetValue<string>().ShouldBe("971718665099567868");
        state.Number("Tempo").ShouldBe(360, "absent: the spec-393 metadata default");
        state.Value("LiquidAlphaOn")!.GetValue<bool>().ShouldBeFalse();
        state.Missing.ShouldContain("ActivityCutoffFactorMilli");
        state.Reads.Single(r => r.Item.Name == "Tempo").Read.Raw.ShouldBeNull();
        state.Reads.Single(r => r.Item.Name == "Kappa").Read.Raw.ShouldBe(new byte[] { 0x30, 0x75 });
    }

    [Fact]
    public async Task Reads_per_mechanism_items_and_the_weight_and_bond_rows()
    {
        var state = await ReadAsync();

        JsonNode.DeepEquals(state.Value("LastUpdate", 0), JsonNode.Parse("[7999990, 7999000, 0]")).ShouldBeTrue();
        JsonNode.DeepEquals(state.Value("LastUpdate", 1), JsonNode.Parse("[7999991, 0, 0]")).ShouldBeTrue();
        var weights = state.Rows("Weights");
        weights.Keys.Order().ShouldBe(new ushort[] { 0, 1 });
        weights[1].ShouldBe([((ushort)1, (ushort)40000), ((ushort)2, (ushort)25535)]);
        state.Rows("Weights", 1)[0].ShouldBe([((ushort)2, (ushort)65535)]);
        state.Rows("Bonds")[0].ShouldBe([((ushort)1, (ushort)12345)]);
        JsonNode.DeepEquals(state.Value("Incentive"), JsonNode.Parse("[0, 65535, 0]")).ShouldBeTrue();
    }

    [Fact]
    public async Task Reads_the_stake_of_every_hotkey_on_the_subnet_and_root_and_of_parents_outside_it()
    {
        var state = await ReadAsync();

        var hotkeys = state.Hotkeys();
        hotkeys.Count.ShouldBe(3);
        hotkeys[2].ShouldBe(TestChain.Account(2));
        state.Map("BlockAtRegistration").Select(r => r.Value!.GetValue<long>()).ShouldBe([7_000_000, 7_000_001, 7_000_002]);

        var alpha = state.Map("TotalHotkeyAlpha", key: EpochKey.Hotkey)
            .ToDictionary(r => r.KeyParts[0]!.GetValue<string>(), r => r.Value!.GetValue<long>());
        alpha[TestChain.Account(1)].ShouldBe(2_000_000_000);
        alpha[TestChain.Account(99)].ShouldBe(7_000_000_000, "the parent of uid 1, not on the subnet");
        var root = state.Map("TotalHotkeyAlpha", key: EpochKey.HotkeyRoot)
            .ToDictionary(r => r.KeyParts[0]!.GetValue<string>(), r => r.Value!.GetValue<long>());
        root.Count.ShouldBe(4);
        root.Where(r => r.Key != TestChain.Account(99)).ShouldAllBe(r => r.Value == 5_000_000_000);
        root[TestChain.Account(99)].ShouldBe(0, "the parent's root stake is read too, absent here: the default 0");
        state.Map("ParentKeys").Single(r => r.Raw != null).KeyParts[0]!.GetValue<string>().ShouldBe(TestChain.Account(1));
    }
}
