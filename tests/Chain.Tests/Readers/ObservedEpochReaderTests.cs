using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Chain.Rpc;
using Bittensor.Ledger.Chain.Tests.Replay;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Readers;

/// <summary>An epoch block and the block before it, built in the real spec-393 types, read as an observed epoch.</summary>
public sealed class ObservedEpochReaderTests
{
    private const string Pallet = "SubtensorModule";
    private const long B = 8_000_000;

    internal static TestChain BuildChain()
    {
        var chain = new TestChain(B, history: 1);
        for (var uid = 0; uid < 3; uid++)
        {
            chain.Put(Pallet, "Keys", TestChain.Account(uid), "52", $"{uid}");
        }

        chain.Put(Pallet, "SubnetworkN", 3, "52")
            .Put(Pallet, "Weights", JsonNode.Parse("[[0, 100]]"), "52", "1")
            .Put(Pallet, "Weights", JsonNode.Parse("[[0, 200]]"), "52", "2")
            .Put(Pallet, "Incentive", JsonNode.Parse("[1, 2, 3]"), "52");

        // Block B: uid 1's timelocked weights are revealed in its initialization, then the epoch writes its outputs;
        // an extrinsic registers a new hotkey on uid 2 and another commits weights.
        var commitsAtB = JsonNode.Parse($"""
            [["{TestChain.Account(0)}", 7999000, "0x01", 10], ["{TestChain.Account(0)}", {B}, "0x02", 11]]
            """);
        chain.At(B)
            .Put(Pallet, "Weights", JsonNode.Parse("[[0, 65535]]"), "52", "1")
            .Put(Pallet, "Weights", JsonNode.Parse("[[0, 65535]]"), "52", "2")
            .Put(Pallet, "Keys", TestChain.Account(7), "52", "2")
            .Put(Pallet, "Incentive", JsonNode.Parse("[0, 65535, 0]"), "52")
            .Put(Pallet, "TimelockedWeightCommits", commitsAtB, "52", "5")
            .Events(
                Event("Initialization", "WeightsSet", JsonNode.Parse("[52, 1]")),
                Event("Initialization", "TimelockedWeightsRevealed", new JsonArray(52, TestChain.Account(1))),
                Event("Initialization", "IncentiveAlphaEmittedToMiners", JsonNode.Parse("""{"netuid": 52, "emissions": [0, 41000000000, 0]}""")),
                Event(new JsonObject { ["ApplyExtrinsic"] = 3 }, "NeuronRegistered", new JsonArray(52, 2, TestChain.Account(7))));
        return chain;
    }

    private static JsonObject Event(JsonNode phase, string name, JsonNode? fields) => new()
    {
        ["phase"] = phase,
        ["event"] = new JsonObject { [Pallet] = new JsonObject { [name] = fields } },
    };

    private static async Task<ObservedEpoch> ReadAsync()
    {
        await using var node = await ReplayNode.StartAsync();
        BuildChain().ServeOn(node);
        await using var reader = new ChainReader(await ChainRpcClient.ConnectAsync(node.Url, cancellationToken: TestContext.Current.CancellationToken), cache: null);
        return await new ObservedEpochReader(reader).ReadAsync(B, 52, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Inputs_are_the_state_before_the_block_and_outputs_the_state_at_it()
    {
        var epoch = await ReadAsync();

        epoch.Block.Number.ShouldBe(B);
        epoch.Inputs.Block.Number.ShouldBe(B - 1);
        JsonNode.DeepEquals(epoch.Inputs.Value("Incentive"), JsonNode.Parse("[1, 2, 3]")).ShouldBeTrue();
        JsonNode.DeepEquals(epoch.Outputs.Value("Incentive"), JsonNode.Parse("[0, 65535, 0]")).ShouldBeTrue();
        epoch.Inputs.Rows("Weights")[2].ShouldBe([((ushort)0, (ushort)200)]);
        epoch.RuntimeUpgrade.ShouldBeFalse();
    }

    [Fact]
    public async Task Weights_revealed_in_the_blocks_initialization_are_taken_from_the_block()
    {
        var epoch = await ReadAsync();

        var revealed = epoch.RevealedWeights.ShouldHaveSingleItem();
        revealed.Read.KeyParts[1]!.GetValue<long>().ShouldBe(1);
        JsonNode.DeepEquals(revealed.Read.Value, JsonNode.Parse("[[0, 65535]]")).ShouldBeTrue();
        epoch.Inputs.Rows("Weights")[1].ShouldBe([((ushort)0, (ushort)100)], "the uncorrected state before the block");
    }

    [Fact]
    public async Task Commits_made_in_the_block_itself_are_dropped()
    {
        var epoch = await ReadAsync();

        var (read, entries) = epoch.CommitsBeforeBlock().ShouldHaveSingleItem();
        read.Read.Value.ShouldBeOfType<JsonArray>().Count.ShouldBe(2);
        entries.Count.ShouldBe(1);
        entries[0]![1]!.GetValue<long>().ShouldBe(7_999_000);
    }

    [Fact]
    public async Task The_miner_emissions_are_read_and_a_uid_registered_in_the_block_is_excluded()
    {
        var epoch = await ReadAsync();

        epoch.MinerEmissions.ShouldHaveSingleItem().Emissions.ShouldBe([0UL, 41_000_000_000UL, 0UL]);
        epoch.ExcludedUids.ShouldBe([(ushort)2]);
    }
}
