using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Simulation;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.Consensus.Emission;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Bittensor.Ledger.IntegrationTests.Epochs;

public sealed class ConservationTests
{
    [Fact]
    public async Task AHundredEpochs_WithPruningStakeMovesBurnsAndAHalving_BalanceToTheRao()
    {
        // Genesis just under 10.5M TAO: the TAO block emission halves from 1 to 0.5 TAO during the run (burns capped at
        // 0.01 TAO, so the registrations' recycling does not pull issuance back under the threshold).
        var genesis = Rao.FromTao(10_499_990);
        BlockEmission.ForIssuance(genesis.Value).ShouldBe(1_000_000_000UL);
        var options = new SimulationOptions
        {
            Subnets = 3, Neurons = 32, Validators = 6, Tempo = 20, Blocks = 720, Seed = 11, GenesisIssuance = genesis,
            MaxBurn = 10_000_000,
        };
        var cs = await PostgresServer.CreateDatabaseAsync(nameof(ConservationTests));
        SimulationSummary summary;
        await using (var host = WriterServices.Build(cs))
        {
            summary = await Simulation.RunAsync(host, options, null, TestContext.Current.CancellationToken);
        }

        summary.Epochs.ShouldBeGreaterThanOrEqualTo(100);
        summary.Conservation.ShouldAllBe(i => i.Holds && i.Checks > 0);
        BlockEmission.ForIssuance(summary.TaoIssuance.Value).ShouldBe(500_000_000UL, "the run should end past the first halving");
        summary.ByReason.GetValueOrDefault(PostingReason.Incentive).ShouldBeGreaterThan(UInt128.Zero);
        summary.ByReason.GetValueOrDefault(PostingReason.NominatorDividend).ShouldBeGreaterThan(UInt128.Zero);

        await using var services = new ServiceCollection().AddLedgerApplication(cs).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new VerifyLedger(), TestContext.Current.CancellationToken);
        report.Holds.ShouldBeTrue(string.Join("; ", report.Findings.Select(f => f.Reason)));
        report.Epochs.ShouldBe(summary.Epochs);
    }
}
