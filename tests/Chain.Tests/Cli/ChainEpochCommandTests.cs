using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Tests.Readers;
using Bittensor.Ledger.Chain.Tests.Replay;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Cli;

/// <summary><c>ledger chain epoch</c> end to end, on the two-block test chain of <see cref="ObservedEpochReaderTests"/>.</summary>
public sealed class ChainEpochCommandTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("ledger-chain-epoch-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        await using var node = await ReplayNode.StartAsync();
        ObservedEpochReaderTests.BuildChain().ServeOn(node);
        return await LedgerProcess.RunAsync([.. args, "--url", node.Url.ToString(), "--cache-dir", _cache]);
    }

    [Fact]
    public async Task Json_holds_the_inputs_the_corrections_and_the_outputs()
    {
        var (exit, output, error) = await RunAsync("chain", "epoch", "--block", "8000000", "--netuid", "52", "--json");

        exit.ShouldBe(0, error);
        var epoch = JsonNode.Parse(output)!;
        epoch["spec_version"]!.GetValue<long>().ShouldBe(393);
        JsonNode.DeepEquals(epoch["excluded_uids"], JsonNode.Parse("[2]")).ShouldBeTrue();
        JsonNode.DeepEquals(epoch["inputs"]!["SubnetworkN"], JsonValue.Create(3)).ShouldBeTrue();
        epoch["inputs"]!["Weights"]!.AsArray().Count.ShouldBe(2);
        JsonNode.DeepEquals(epoch["revealed_weights"]![0]!["value"], JsonNode.Parse("[[0, 65535]]")).ShouldBeTrue();
        epoch["commits_before_block"]![0]!["entries"]!.AsArray().Count.ShouldBe(1);
        JsonNode.DeepEquals(epoch["outputs"]!["Incentive"], JsonNode.Parse("[0, 65535, 0]")).ShouldBeTrue();
        JsonNode.DeepEquals(epoch["miner_emissions"]![0]!["emissions"], JsonNode.Parse("[0, 41000000000, 0]")).ShouldBeTrue();
    }

    [Fact]
    public async Task Text_summarises_the_epoch()
    {
        var (exit, output, error) = await RunAsync("chain", "epoch", "--block", "8000000", "--netuid", "52");

        exit.ShouldBe(0, error);
        output.ShouldContain("subnet 52, epoch block 8000000");
        output.ShouldContain("inputs (state at 7999999): 3 uids, 1 mechanism(s), tempo 360");
        output.ShouldContain("1 revealed weight rows, 1 pending commits");
        output.ShouldContain("miner emission, mechanism 0: 41000000000 rao over 3 uids");
        output.ShouldContain("excluded uids (touched by the block's extrinsics): 2");
    }

    [Fact]
    public async Task Block_zero_and_a_bad_netuid_are_refused()
    {
        var zero = await RunAsync("chain", "epoch", "--block", "0", "--netuid", "52");
        var netuid = await RunAsync("chain", "epoch", "--block", "8000000", "--netuid", "70000");

        zero.ExitCode.ShouldBe(2);
        zero.Error.ShouldContain("--block: an epoch block has a block before it");
        netuid.ExitCode.ShouldBe(2);
        netuid.Error.ShouldContain("netuid: must be between 0 and 65535");
    }
}
