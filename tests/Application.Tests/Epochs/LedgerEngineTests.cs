using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Samples;
using Bittensor.Ledger.Consensus.Emission;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Application.Tests.Epochs;

public class LedgerEngineTests
{
    private static List<ILedgerEvent> Facts(Rao genesis) =>
        [.. SampleChain.Generate(new SampleOptions { Blocks = 600, Seed = 5, Schedule = EpochSchedule.Dynamic, GenesisIssuance = genesis, MaxBurn = 1_000_000 })];

    [Theory]
    [InlineData(7_500_000UL)]
    [InlineData(10_499_700UL)] // crosses the first TAO halving during the run
    public void TheCoinbase_PostsTheSameBooks_BlockByBlockOrInOneStep(ulong genesisTao)
    {
        var facts = Facts(Rao.FromTao(genesisTao));
        var eager = new LedgerEngine();
        var lazy = new LedgerEngine();
        foreach (var e in facts)
        {
            eager.AdvanceTo(e.Block);
            eager.Apply(e);
            lazy.Apply(e);
        }

        var end = new Block(facts[^1].Block.Value + 400);
        eager.AdvanceTo(end);
        lazy.AdvanceTo(end);

        var a = eager.State.Books.Balances.OrderBy(b => b.Key.ToString(), StringComparer.Ordinal).ToList();
        var b = lazy.State.Books.Balances.OrderBy(b => b.Key.ToString(), StringComparer.Ordinal).ToList();
        b.ShouldBe(a);
        a.ShouldContain(x => x.Key.Kind == AccountKind.PendingServer && x.Value > 0);
        if (genesisTao > 10_499_000)
        {
            BlockEmission.ForIssuance(genesisTao * Rao.RaoPerTao).ShouldBe(1_000_000_000UL);
            BlockEmission.ForIssuance(eager.State.Issuance.Value).ShouldBe(500_000_000UL);
        }
    }

    [Fact]
    public void AnEpoch_DrainsItsPotsToZero_AndPaysEveryRaoToAUidOrToDust()
    {
        var engine = new LedgerEngine();
        foreach (var e in Facts(Rao.FromTao(7_500_000)))
        {
            engine.Apply(e);
        }

        var subnet = engine.State.Subnets.First();
        engine.AdvanceTo(new Block(engine.State.LastBlock!.Value.Value + 1));
        var alpha = Asset.Alpha(subnet.NetUid);
        var server = engine.State.Books.Balance(Account.Of(alpha, AccountKind.PendingServer));
        var validator = engine.State.Books.Balance(Account.Of(alpha, AccountKind.PendingValidator));
        var result = engine.ComputeEpoch(subnet.NetUid, EpochSchedule.Dynamic);
        result.Completed.Emission.Value.ShouldBe((ulong)(server + validator));
        foreach (var e in result.Events)
        {
            engine.Apply(e);
        }

        var conservation = new Conservation();
        conservation.CheckEpoch(engine, result.Completed, result.Posted);
        conservation.CheckBooks(engine, engine.Clock);
        conservation.Results.ShouldAllBe(r => r.Holds);
        engine.State.Books.Balance(Account.Of(alpha, AccountKind.PendingServer)).ShouldBe(Int128.Zero);
        engine.State.Books.Balance(Account.Of(alpha, AccountKind.PendingOwner)).ShouldBe(Int128.Zero);
        subnet.EpochsCompleted.ShouldBe(1UL);
    }

    [Fact]
    public void RecordedAccrual_ThatDiffersFromTheComputedOne_IsRejected()
    {
        var engine = new LedgerEngine();
        foreach (var e in Facts(Rao.FromTao(7_500_000)))
        {
            engine.Apply(e);
        }

        var subnet = engine.State.Subnets.First();
        engine.AdvanceTo(new Block(engine.State.LastBlock!.Value.Value + 1));
        var result = engine.ComputeEpoch(subnet.NetUid, EpochSchedule.Dynamic);
        engine.Apply(result.Completed);
        var tampered = result.Posted with
        {
            Postings = [.. result.Posted.Postings.Select(p => p.Reason == PostingReason.ServerPot ? p with { Amount = new Rao(p.Amount.Value + 1) } : p)],
        };
        engine.TryApply(tampered, out var violation).ShouldBeFalse();
        violation!.Field.ShouldBe("postings");
        engine.TryApply(result.Posted, out violation).ShouldBeTrue(violation?.ToString());
    }

    [Fact]
    public void DerivedEvents_CannotBeRecordedAsFacts()
    {
        var engine = new LedgerEngine();
        var facts = Facts(Rao.FromTao(7_500_000));
        foreach (var e in facts)
        {
            engine.Apply(e);
        }

        var subnet = engine.State.Subnets.First();
        engine.AdvanceTo(new Block(facts[^1].Block.Value + 1));
        var result = engine.ComputeEpoch(subnet.NetUid, EpochSchedule.Dynamic);
        engine.TryApplyFact(result.Completed, out var violation, out _).ShouldBeFalse();
        violation!.Reason.ShouldContain("computed by the ledger");
    }
}
