using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Chain.Rpc;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Replay;

/// <summary>A <see cref="TestEpoch"/> placed into a test chain reads back through the loopback node as the epoch it describes.</summary>
public sealed class TestEpochTests
{
    /// <summary>Four uids, two validators with weights and bonds, one mechanism, a childkey from a non-neuron parent.</summary>
    internal static TestEpoch Classic() => new()
    {
        Alpha = [400_000_000_000, 100_000_000_000, 5_000_000_000, 0],
        Root = [1_000_000_000_000, 0, 0, 0],
        Others = { [9] = (50_000_000_000, 0) },
        Children = [new TestChild(9, 1, ulong.MaxValue / 2)],
        Weights =
        [
            [
                [(2, 65535), (3, 20000)],
                [(2, 30000), (3, 65535)],
            ],
        ],
        Bonds = [[[(2, 40000)], [(3, 50000)]]],
    };

    internal static async Task<ObservedEpoch> ReadAsync(TestChain chain, long block, ushort netuid)
    {
        await using var node = await ReplayNode.StartAsync();
        chain.ServeOn(node);
        await using var reader = new ChainReader(await ChainRpcClient.ConnectAsync(node.Url, cancellationToken: TestContext.Current.CancellationToken), cache: null);
        return await new ObservedEpochReader(reader).ReadAsync(block, netuid, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_outputs_at_the_block_are_the_ports_and_the_inputs_the_description()
    {
        var epoch = Classic();
        var observed = await ReadAsync(epoch.Build(), epoch.Block, epoch.Netuid);
        var (agg, per) = epoch.Expected;

        observed.Inputs.Number("SubnetworkN").ShouldBe(4);
        observed.Inputs.Rows("Weights")[1].ShouldBe([((ushort)2, (ushort)30000), ((ushort)3, (ushort)65535)]);
        observed.Inputs.Rows("Bonds")[0].ShouldBe([((ushort)2, (ushort)40000)]);
        observed.Inputs.Map("ParentKeys").Single(r => r.Value!.AsArray().Count > 0).KeyParts[0]!.GetValue<string>().ShouldBe(TestEpoch.Hotkey(1));
        observed.Inputs.Map("TotalHotkeyAlpha").Select(r => r.KeyParts[0]!.GetValue<string>()).ShouldContain(TestEpoch.Hotkey(9));

        U16s(observed.Outputs.Value("Incentive")).ShouldBe(per[0].Incentive);
        U16s(observed.Outputs.Value("Dividends")).ShouldBe(agg.Dividends);
        U16s(observed.Outputs.Value("StakeWeight")).ShouldBe(agg.StakeWeight);
        observed.Outputs.Value("ValidatorPermit")!.AsArray().Select(v => v!.GetValue<bool>()).ShouldBe(agg.NewValidatorPermit);
        observed.Outputs.Rows("Bonds")[0].ShouldBe(per[0].Bonds[0]);
        observed.MinerEmissions.ShouldHaveSingleItem().Emissions.ShouldBe(per[0].ServerEmission);
        agg.Incentive.Sum(i => i).ShouldBeGreaterThan(0, "the epoch must produce something to compare");
    }

    [Fact]
    public async Task A_tampered_output_is_written_changed_and_only_there()
    {
        var epoch = Classic().Tamper("Dividends", 1);
        var observed = await ReadAsync(epoch.Build(), epoch.Block, epoch.Netuid);
        var expected = epoch.Expected.Aggregate.Dividends;

        var written = U16s(observed.Outputs.Value("Dividends"));
        written[1].ShouldBe(unchecked((ushort)(expected[1] + 1)));
        written.Where((_, i) => i != 1).ShouldBe(expected.Where((_, i) => i != 1));
    }

    [Fact]
    public async Task Two_mechanisms_write_their_terms_under_the_storage_index()
    {
        var epoch = new TestEpoch
        {
            Alpha = [300_000_000_000, 200_000_000_000, 0],
            Weights = [[[(2, 65535)], [(2, 65535)]], [[(2, 65535)], []]],
            EmissionSplit = [40_000, 25_535],
        };
        var observed = await ReadAsync(epoch.Build(), epoch.Block, epoch.Netuid);

        observed.Inputs.Mechanisms.ShouldBe(2);
        observed.Inputs.Rows("Weights", 1).Keys.ShouldBe([(ushort)0, (ushort)1]);
        U16s(observed.Outputs.Value("Incentive", 1)).ShouldBe(epoch.Expected.PerMechanism[1].Incentive);
        observed.MinerEmissions.Select(e => e.Subnet.Mechanism).ShouldBe([(byte)0, (byte)1]);
    }

    [Fact]
    public async Task Before_423_a_legacy_commit_made_in_the_block_is_found_by_its_commit_block_field()
    {
        var epoch = new TestEpoch
        {
            Alpha = [1_000_000_000, 0],
            Weights = [[[(1, 65535)]]],
            CommitReveal = true,
            LegacyCommits = [(0, 7_999_900, 0), (0, 8_000_000, 0)],
        };
        var observed = await ReadAsync(epoch.Build(), epoch.Block, epoch.Netuid);

        var (_, entries) = observed.CommitsBeforeBlock().Single(c => c.Read.Item.Name == "WeightCommits");

        // (hash, commit_block, first_reveal, last_reveal) at spec 393: the entry committed in B is field 1 = B.
        entries.Select(e => e![1]!.GetValue<long>()).ShouldBe([7_999_900L]);
    }

    private static ushort[] U16s(JsonNode? node) => [.. node!.AsArray().Select(v => (ushort)v!.GetValue<long>())];
}
