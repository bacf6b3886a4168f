using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Application.Samples;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.Application.Tests.Samples;

public class SampleChainTests
{
    private static byte[] Bytes(SampleOptions options)
    {
        using var stream = new MemoryStream();
        NdjsonCodec.WriteAll(stream, SampleChain.Generate(options));
        return stream.ToArray();
    }

    [Fact]
    public void SameSeed_GivesIdenticalBytes()
    {
        var options = new SampleOptions { Seed = 7, Blocks = 600 };
        Bytes(options).ShouldBe(Bytes(options));
    }

    [Fact]
    public void OtherSeed_GivesAnotherChain() =>
        Bytes(new SampleOptions { Seed = 7, Blocks = 300 }).ShouldNotBe(Bytes(new SampleOptions { Seed = 8, Blocks = 300 }));

    [Fact]
    public void EveryEvent_IsWellShapedAndPassesTheLedgerRules_AfterParsing()
    {
        // The import path: parse → shape → Check → Apply, over the serialized sample.
        using var stream = new MemoryStream(Bytes(new SampleOptions { Seed = 3, Blocks = 3_000, Subnets = 4 }));
        var state = new LedgerState();
        var keys = new HashSet<string>();
        long count = 0;
        foreach (var record in NdjsonCodec.ReadAll(stream))
        {
            record.Error.ShouldBeNull($"line {record.LineNumber}");
            var e = record.Line!.Event;
            EventShape.Validate(e).ShouldBeNull($"line {record.LineNumber}");
            state.Check(e).ShouldBeNull($"line {record.LineNumber}");
            state.Apply(e);
            keys.Add(record.Line.NaturalKey).ShouldBeTrue($"line {record.LineNumber}: natural key repeats");
            count++;
        }

        state.EventsApplied.ShouldBe(count);
    }

    [Fact]
    public void Sample_IsRealistic()
    {
        var events = SampleChain.Generate(new SampleOptions()).ToList();
        var registrations = events.OfType<NeuronRegistered>().ToList();
        registrations.Count(r => r.PrunedHotkey is not null).ShouldBeGreaterThan(100);
        events.OfType<WeightsSet>().Count().ShouldBeGreaterThan(1_000);
        events.OfType<EpochTriggered>().Select(e => e.NetUid).Distinct().Count().ShouldBe(3);
        events.OfType<SubnetRegistered>().Count().ShouldBe(3);
        var types = events.Select(e => e.GetType()).Distinct().Count();
        types.ShouldBe(17);
    }

    [Fact]
    public void AfterEpoch_SeesTheAppliedEpoch()
    {
        var seen = new List<(Domain.Primitives.NetUid, Domain.Primitives.Block)>();
        var options = new SampleOptions { Blocks = 400, AfterEpoch = (state, epoch) =>
        {
            state.Subnet(epoch.NetUid)!.LastEpochBlock.ShouldBe(epoch.Block);
            seen.Add((epoch.NetUid, epoch.Block));
        } };
        var epochs = SampleChain.Generate(options).OfType<EpochTriggered>().Select(e => (e.NetUid, e.Block)).ToList();
        seen.ShouldBe(epochs);
    }

    [Fact]
    public void CommittedSample_IsWhatTheDefaultsGenerate()
    {
        var committed = File.ReadAllBytes(Repo.PathOf("samples/sample-chain.ndjson"));
        committed.SequenceEqual(Bytes(new SampleOptions())).ShouldBeTrue("samples/sample-chain.ndjson is stale: run `ledger sample`");
    }
}
