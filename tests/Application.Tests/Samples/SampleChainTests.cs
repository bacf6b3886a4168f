using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Samples;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Stake;
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
    public async Task EveryEvent_IsWellShapedAndPassesTheLedgerRules_AfterParsing()
    {
        // The import path: parse → shape → the engine's rules, each epoch_triggered followed by its computed epoch.
        using var stream = new MemoryStream(Bytes(new SampleOptions { Seed = 3, Blocks = 3_000, Subnets = 4 }));
        var engine = new LedgerEngine();
        var keys = new HashSet<string>();
        long facts = 0, epochs = 0;
        await foreach (var record in NdjsonRecords.ReadAsync(stream, TestContext.Current.CancellationToken))
        {
            // The import's per-line judgement: parse and shape.
            record.Error.ShouldBeNull($"line {record.LineNumber}");
            var e = record.Line!.Event;
            engine.TryApplyFact(e, out var violation, out var derived).ShouldBeTrue($"line {record.LineNumber}: {violation}");
            keys.Add(record.Line.NaturalKey).ShouldBeTrue($"line {record.LineNumber}: natural key repeats");
            facts++;
            epochs += derived.OfType<EpochCompleted>().Count();
        }

        engine.State.EventsApplied.ShouldBe(facts + (2 * epochs));
        epochs.ShouldBeGreaterThan(60);
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
        types.ShouldBe(16);
    }

    [Fact]
    public void TriggeredEpochs_AreComputedByTheGenerator_SoPruningReadsRealEmissions()
    {
        var engine = new LedgerEngine();
        var events = SampleChain.Generate(new SampleOptions { Blocks = 1_200, Engine = engine }).ToList();
        foreach (var subnet in engine.State.Subnets)
        {
            var triggered = events.OfType<EpochTriggered>().Count(e => e.NetUid == subnet.NetUid);
            subnet.EpochsCompleted.ShouldBe((ulong)triggered);
        }

        // Epochs pay emission, so some uid has a non-zero recorded emission, and the books balance.
        engine.State.Subnets.ShouldContain(s => Enumerable.Range(0, s.N).Any(i => s.Emission(new Domain.Primitives.Uid((ushort)i)) > 0));
        foreach (var asset in engine.State.Books.Assets)
        {
            engine.State.Books.Total(asset).ShouldBe((Int128)Books.Supply.Value);
        }
    }

    [Fact]
    public void ScheduledSimulation_WritesNoEpochFacts()
    {
        var events = SampleChain.Generate(new SampleOptions { Blocks = 400, Schedule = EpochSchedule.Dynamic }).ToList();
        events.OfType<EpochTriggered>().ShouldBeEmpty();
        events.OfType<WeightsSet>().ShouldNotBeEmpty();
    }

    [Fact]
    public void CommittedSample_IsWhatTheDefaultsGenerate()
    {
        var committed = File.ReadAllBytes(Repo.PathOf("samples/sample-chain.ndjson"));
        committed.SequenceEqual(Bytes(new SampleOptions())).ShouldBeTrue("samples/sample-chain.ndjson is stale: run `ledger sample`");
    }

    [Fact]
    public void MainnetDayProfile_HasMainnetsShape_ScaledDown()
    {
        var engine = new LedgerEngine();
        var options = SampleOptions.MainnetDay(seed: 5, subnets: 10, blocks: 800) with { Engine = engine };
        var events = SampleChain.Generate(options).ToList();
        var subnets = events.OfType<SubnetRegistered>().ToList();
        subnets.Count.ShouldBe(10);
        subnets.ShouldAllBe(s => s.Hyperparameters.MaxAllowedUids == 256 && s.Hyperparameters.MaxAllowedValidators == 64);
        subnets.ShouldAllBe(s => s.Hyperparameters.Tempo >= 330 && s.Hyperparameters.Tempo <= 370);
        subnets.Count(s => s.Hyperparameters.LiquidAlpha).ShouldBe(1);
        subnets.Count(s => s.Hyperparameters.Yuma3).ShouldBe(5);
        foreach (var subnet in engine.State.Subnets)
        {
            subnet.EpochsCompleted.ShouldBe((ulong)events.OfType<EpochTriggered>().Count(e => e.NetUid == subnet.NetUid));
            subnet.EpochsCompleted.ShouldBeGreaterThanOrEqualTo(2UL);
        }

        events.OfType<WeightsSet>().Count().ShouldBeGreaterThan(0);
        // Subnet index 3 of 0..9 runs two mechanisms, and its validators set weights on both.
        subnets.Where(s => s.Hyperparameters.MechanismCount == 2).Select(s => s.NetUid.Value).ShouldBe([(ushort)4]);
        subnets.Where(s => s.NetUid.Value != 4).ShouldAllBe(s => s.Hyperparameters.MechanismCount == 1);
        events.OfType<WeightsSet>().Where(w => w.Mechanism == 1).ShouldAllBe(w => w.NetUid.Value == 4);
        events.OfType<WeightsSet>().Count(w => w.Mechanism == 1).ShouldBeGreaterThan(0);
        // Three network-wide stake moves or removals are drawn a block; at least one a block lands.
        (events.OfType<StakeMoved>().Count() + events.OfType<StakeRemoved>().Count()).ShouldBeGreaterThanOrEqualTo(800);
        events.OfType<StakeMoved>().Select(m => m.NetUid).Distinct().Count().ShouldBeGreaterThan(5);
    }
}
