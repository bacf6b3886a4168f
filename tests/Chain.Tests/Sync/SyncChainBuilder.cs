using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Tests.Replay;

namespace Bittensor.Ledger.Chain.Tests.Sync;

/// <summary>
/// A short chain for sync tests: blocks <see cref="First"/>..<see cref="Last"/> of spec 393, subnet 52 with three
/// neurons and an epoch at <see cref="EpochBlock"/> (uid 1's weights revealed in its initialization, a registration on
/// uid 2 in an extrinsic), stake added on subnet 52 and on subnet 9 (not synced), and a weight submission.
/// </summary>
internal static class SyncChainBuilder
{
    public const long EpochBlock = 8_000_000;
    public const long First = EpochBlock - 10;
    public const long Last = EpochBlock + 6;
    public const long StakeBlock = First + 2;
    public const long WeightsBlock = First + 4;
    public const long LaterStakeBlock = EpochBlock + 3;
    private const string Pallet = "SubtensorModule";

    /// <summary>The facts a full sync of subnet 52 over First+1..Last records: 2 stake additions, 1 weight submission,
    /// the epoch block's 4 events of subnet 52, and the epoch's inputs and outputs.</summary>
    public const int FactsOf52 = 2 + 1 + 4 + 2;

    public static TestChain Build(uint? oldSpecUntil = null)
    {
        var chain = new TestChain(Last, history: (int)(Last - First));
        if (oldSpecUntil is { } until)
        {
            for (var b = First; b <= until; b++)
            {
                chain.Specs[b] = 315;
            }
        }

        for (var uid = 0; uid < 3; uid++)
        {
            chain.Put(Pallet, "Keys", TestChain.Account(uid), "52", Text(uid));
        }

        chain.Put(Pallet, "SubnetworkN", 3, "52")
            .Put(Pallet, "Tempo", 10, "52")
            .Put(Pallet, "Weights", JsonNode.Parse("[[0, 100]]"), "52", "1")
            .Put(Pallet, "Weights", JsonNode.Parse("[[0, 200]]"), "52", "2")
            .Put(Pallet, "Incentive", JsonNode.Parse("[1, 2, 3]"), "52");

        chain.At(StakeBlock).Events(
            Event(Extrinsic(1), "StakeAdded", new JsonArray(TestChain.Account(10), TestChain.Account(0), 5_000_000_000, 4_000_000_000, 52, 1000)),
            Event(Extrinsic(2), "StakeAdded", new JsonArray(TestChain.Account(11), TestChain.Account(20), 7_000_000_000, 6_000_000_000, 9, 1000)));

        chain.At(WeightsBlock)
            .Put(Pallet, "Weights", JsonNode.Parse("[[0, 65535], [2, 30000]]"), "52", "0")
            .Events(Event(Extrinsic(1), "WeightsSet", JsonNode.Parse("[52, 0]")));

        var commitsAtB = JsonNode.Parse($"""
            [["{TestChain.Account(0)}", 7999000, "0x01", 10], ["{TestChain.Account(0)}", {EpochBlock}, "0x02", 11]]
            """);
        chain.At(EpochBlock)
            .Put(Pallet, "Weights", JsonNode.Parse("[[0, 65535]]"), "52", "1")
            .Put(Pallet, "Keys", TestChain.Account(7), "52", "2")
            .Put(Pallet, "Incentive", JsonNode.Parse("[0, 65535, 0]"), "52")
            .Put(Pallet, "LastMechansimStepBlock", EpochBlock, "52")
            .Put(Pallet, "TimelockedWeightCommits", commitsAtB, "52", "5")
            .Events(
                Event("Initialization", "WeightsSet", JsonNode.Parse("[52, 1]")),
                Event("Initialization", "TimelockedWeightsRevealed", new JsonArray(52, TestChain.Account(1))),
                Event("Initialization", "IncentiveAlphaEmittedToMiners", JsonNode.Parse("""{"netuid": 52, "emissions": [0, 41000000000, 0]}""")),
                Event(Extrinsic(3), "NeuronRegistered", new JsonArray(52, 2, TestChain.Account(7))));

        chain.At(LaterStakeBlock).Events(
            Event(Extrinsic(1), "StakeAdded", new JsonArray(TestChain.Account(12), TestChain.Account(1), 1_000_000_000, 900_000_000, 52, 500)));
        return chain;
    }

    /// <summary>Serves <paramref name="chain"/> with the head methods a sync asks first; <paramref name="finalized"/> is
    /// the last finalized block (the newest block by default).</summary>
    public static void Serve(TestChain chain, ReplayNode node, long? finalized = null) =>
        Serve(chain, node, () => finalized ?? chain.Number);

    /// <summary>Serves <paramref name="chain"/> with a finalized head that moves: <paramref name="finalized"/> is asked each time.</summary>
    public static void Serve(TestChain chain, ReplayNode node, Func<long> finalized)
    {
        chain.ServeOn(node);
        node.Handle("system_chain", _ => "\"Bittensor test\"");
        node.Handle("chain_getFinalizedHead", _ => $"\"{TestChain.HashOf(finalized())}\"");
        // The runtime in force at block n is the one that executes block n + 1 (ServeOn's convention), up to the head.
        node.Handle("state_getRuntimeVersion", p =>
        {
            var n = Number(p[0]!.GetValue<string>());
            var spec = chain.Specs.GetValueOrDefault(n + 1, chain.Spec);
            return $"{{\"specName\":\"node-subtensor\",\"implName\":\"node-subtensor\",\"authoringVersion\":1,\"specVersion\":{spec},\"implVersion\":1,\"apis\":[],\"transactionVersion\":1,\"stateVersion\":1}}";
        });
        node.Handle("chain_getHeader", p =>
        {
            var hash = p.Count > 0 ? p[0]?.GetValue<string>() : null;
            var number = hash is null ? chain.Number : Number(hash);
            return number < chain.First - 1 || number > chain.Number
                ? "null"
                : $"{{\"parentHash\":\"{TestChain.HashOf(number - 1)}\",\"number\":\"0x{number:x}\",\"stateRoot\":\"{TestChain.HashOf(-2)}\",\"extrinsicsRoot\":\"{TestChain.HashOf(-3)}\",\"digest\":{{\"logs\":[]}}}}";
        });
    }

    private static long Number(string hash) => long.Parse(hash[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static JsonObject Extrinsic(int index) => new JsonObject { ["ApplyExtrinsic"] = index };

    private static JsonObject Event(JsonNode phase, string name, JsonNode? fields) => new()
    {
        ["phase"] = phase,
        ["event"] = new JsonObject { [Pallet] = new JsonObject { [name] = fields } },
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
