using System.Text;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Simulation;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.Cli.Yuma;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Epochs;

/// <summary>A simulated network of 3 subnets × 64 neurons over at least 10 epochs each, run once through the
/// consensus handler on real PostgreSQL and shared by the tests of <see cref="EpochHandlerTests"/>.</summary>
public sealed class SimulatedNetwork : IAsyncLifetime
{
    public static readonly SimulationOptions Options = new() { Subnets = 3, Neurons = 64, Validators = 8, Tempo = 40, Blocks = 450, Seed = 7 };

    public string ConnectionString { get; private set; } = "";

    public SimulationSummary Summary { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync(nameof(EpochHandlerTests));
        await using var host = WriterServices.Build(ConnectionString);
        Summary = await Simulation.RunAsync(host, Options, null, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Every stored event in sequence order.</summary>
    public async Task<List<(long Seq, ILedgerEvent Event)>> EventsAsync()
    {
        await using var services = new ServiceCollection().AddLedgerApplication(ConnectionString).BuildServiceProvider();
        var stored = services.GetRequiredService<StoredEvents>();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var events = new List<(long, ILedgerEvent)>();
        await foreach (var e in stored.ReadAsync(connection, 0, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }
}

public sealed class EpochHandlerTests(SimulatedNetwork network) : IClassFixture<SimulatedNetwork>
{
    [Fact]
    public async Task Issue12_Utf8Json_IsTheUtf8OfJson_ForEveryEpochsEvents_WithOneBufferReused()
    {
        var events = await network.EventsAsync();
        await using var services = new ServiceCollection().AddLedgerApplication(network.ConnectionString).BuildServiceProvider();
        var stored = services.GetRequiredService<StoredEvents>();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var derived = events.Select(e => e.Event).Where(e => e is EpochCompleted or SubnetEmissionPosted).ToList();
        derived.Count.ShouldBeGreaterThan(20);
        foreach (var e in derived)
        {
            Encoding.UTF8.GetString(stored.Utf8Json(buffer, e)).ShouldBe(stored.Json(e));
        }
    }

    [Fact]
    public async Task EveryEpochCompleted_EqualsWhatLedgerYumaReturns_ForTheStateTheEventsDescribe()
    {
        var events = await network.EventsAsync();
        var state = new IndependentEpochState();
        var epochs = events.Select(e => e.Event).OfType<EpochCompleted>().ToList();
        epochs.GroupBy(e => e.NetUid).Count().ShouldBe(3);
        epochs.GroupBy(e => e.NetUid).ShouldAllBe(g => g.Count() >= 10);

        foreach (var (_, e) in events)
        {
            if (e is EpochCompleted c)
            {
                var input = state.YumaInput(c.NetUid.Value, c.Block.Value, c.Emission.Value).ToJsonString();
                using var stdin = new MemoryStream(Encoding.UTF8.GetBytes(input));
                using var stdout = new MemoryStream();
                using var stderr = new StringWriter();
                YumaCommand.Execute(null, null, stdin, stdout, stderr).ShouldBe(0, stderr.ToString());
                ShouldMatch(c, JsonNode.Parse(stdout.ToArray())!.AsObject());
            }

            state.Apply(e);
        }
    }

    [Fact]
    public async Task Verify_RecomputesEveryEpoch_AndTheIdentitiesHold()
    {
        await using var services = new ServiceCollection().AddLedgerApplication(network.ConnectionString).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new VerifyLedger(), TestContext.Current.CancellationToken);

        report.Findings.ShouldBeEmpty();
        report.Epochs.ShouldBe(network.Summary.Epochs);
        report.EpochsMatching.ShouldBe(report.Epochs);
        report.Identities.ShouldAllBe(i => i.Holds && i.Checks > 0);
        network.Summary.Conservation.ShouldAllBe(i => i.Holds && i.Checks > 0);
    }

    [Fact]
    public async Task Status_TotalStake_IsTheStakeInTheBooks_IncludingWhatEpochsStaked()
    {
        await using var services = new ServiceCollection().AddLedgerApplication(network.ConnectionString).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var status = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new Application.Status.GetStatus(), TestContext.Current.CancellationToken);
        await using var connection = new NpgsqlConnection(network.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var engine = await services.GetRequiredService<StoredEvents>().FoldAsync(connection, TestContext.Current.CancellationToken);

        status.Subnets.Count.ShouldBe(3);
        foreach (var subnet in status.Subnets)
        {
            var staked = engine.State.Books.Balances
                .Where(b => b.Key.Kind == AccountKind.Stake && b.Key.Asset.Subnet == subnet.NetUid)
                .Aggregate(Int128.Zero, (sum, b) => sum + b.Value);
            ((Int128)subnet.TotalStake.Value).ShouldBe(staked);
            network.Summary.ByReason[PostingReason.Incentive].ShouldBeGreaterThan(UInt128.Zero);
        }
    }

    [Fact]
    public async Task Replay_UnderTheRecordedRules_ChangesNothing_UnderOthers_WritesOnlyTheScratchSchema()
    {
        var before = await network.EventsAsync();
        await using var services = new ServiceCollection().AddLedgerApplication(network.ConnectionString).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var ct = TestContext.Current.CancellationToken;

        var same = await mediator.Send(new ReplayLedger(0, (ulong)SimulatedNetwork.Options.Blocks, RuleOverrides.None), ct);
        same.Epochs.ShouldBe(network.Summary.Epochs);
        same.Hotkeys.ShouldAllBe(h => h.Difference == 0);

        var other = await mediator.Send(new ReplayLedger(0, (ulong)SimulatedNetwork.Options.Blocks, RuleOverrides.Parse(["kappa=52000", "yuma3=off"])), ct);
        other.Epochs.ShouldBe(network.Summary.Epochs);
        other.Hotkeys.ShouldContain(h => h.Difference != 0);
        other.Hotkeys.Sum(h => (decimal)h.Recorded.Value).ShouldBe(same.Hotkeys.Sum(h => (decimal)h.Recorded.Value));

        (await network.EventsAsync()).Count.ShouldBe(before.Count);
        await using var connection = new NpgsqlConnection(network.ConnectionString);
        await connection.OpenAsync(ct);
        await using var count = new NpgsqlCommand($"select count(*) from {ReplayLedger.ScratchSchema}.mt_events", connection);
        ((long)(await count.ExecuteScalarAsync(ct))!).ShouldBe(network.Summary.Epochs);
    }

    [Fact]
    public async Task ARedeliveredRunEpoch_AfterTheHandlerRestarts_AppendsNothing()
    {
        var before = await network.EventsAsync();
        var last = before.Select(e => e.Event).OfType<EpochCompleted>().Last();
        var request = new RunEpoch(last.NetUid, last.Epoch, last.Block, last.Rules.Schedule);

        // New services are a restarted handler: its engine is folded from the store, which already holds the epoch.
        await using (var services = WriterServices.Build(network.ConnectionString))
        {
            var again = await Send(services, request);
            again.AlreadyDone.ShouldBeTrue();
            again.Request.ShouldBe(request);

            // Sent a second time to the same running handler, as a retry after a lost answer would be.
            (await Send(services, request)).AlreadyDone.ShouldBeTrue();
        }

        var after = await network.EventsAsync();
        after.Count.ShouldBe(before.Count);
        after.Select(e => e.Event).OfType<EpochCompleted>().Count(e => e.NetUid == last.NetUid && e.Epoch == last.Epoch).ShouldBe(1);
    }

    [Fact]
    public async Task AnEpochThatIsNotNext_IsRefused_AndNothingIsAppended()
    {
        var before = await network.EventsAsync();
        var last = before.Select(e => e.Event).OfType<EpochCompleted>().Last();
        await using var services = WriterServices.Build(network.ConnectionString);
        var skip = new RunEpoch(last.NetUid, last.Epoch + 2, last.Block, last.Rules.Schedule);
        var ex = await Should.ThrowAsync<InvalidOperationException>(() =>
            Send(services, skip).AsTask());
        ex.Message.ShouldContain("is not next");
        (await network.EventsAsync()).Count.ShouldBe(before.Count);
    }

    private static void ShouldMatch(EpochCompleted c, JsonObject yuma)
    {
        var where = $"subnet {c.NetUid} epoch {c.Epoch} at block {c.Block}";
        ulong[] U(string name) => [.. yuma[name]!.AsArray().Select(x => x!.GetValue<ulong>())];
        bool[] B(string name) => [.. yuma[name]!.AsArray().Select(x => x!.GetValue<bool>())];
        c.Terms.Select(t => (ulong)t.StakeWeight).ShouldBe(U("stake_weight"), where);
        c.Terms.Select(t => (ulong)t.Consensus).ShouldBe(U("consensus"), where);
        c.Terms.Select(t => (ulong)t.Incentive).ShouldBe(U("incentive"), where);
        c.Terms.Select(t => (ulong)t.Dividends).ShouldBe(U("dividends"), where);
        c.Terms.Select(t => (ulong)t.ValidatorTrust).ShouldBe(U("validator_trust"), where);
        c.Terms.Select(t => t.ServerEmission.Value).ShouldBe(U("server_emission"), where);
        c.Terms.Select(t => t.ValidatorEmission.Value).ShouldBe(U("validator_emission"), where);
        c.Terms.Select(t => t.Emission.Value).ShouldBe(U("emission"), where);
        c.Terms.Select(t => t.Active).ShouldBe(B("active"), where);
        c.Terms.Select(t => t.ValidatorPermit).ShouldBe(B("new_validator_permit"), where);
        var rows = yuma["bonds"]!.AsArray();
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = rows[i]!.AsArray().Select(x => $"{x![0]}:{x[1]}").ToArray();
            var recorded = c.Bonds.Where(r => r.Mechanism == 0 && r.Uid.Value == i).SelectMany(r => r.Row).Select(x => $"{x.Uid}:{x.Value}").ToArray();
            recorded.ShouldBe(expected, $"{where}: bonds of uid {i}");
        }
    }

    private static async ValueTask<EpochRun> Send(IServiceProvider services, RunEpoch request)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, TestContext.Current.CancellationToken);
    }
}
