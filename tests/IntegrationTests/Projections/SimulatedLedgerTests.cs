using System.Numerics;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Simulation;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Projections;

/// <summary>A small network simulated through the consensus handler (the events `ledger simulate` writes), shared by
/// the tests below.</summary>
public sealed class SimulatedLedger : IAsyncLifetime
{
    public static readonly SimulationOptions Options = new() { Subnets = 2, Neurons = 32, Validators = 4, Tempo = 30, Blocks = 200, Seed = 11 };

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync(nameof(SimulatedLedgerTests));
        await using var host = WriterServices.Build(ConnectionString);
        await Simulation.RunAsync(host, Options, null, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Projections of a simulated ledger against the ledger's own engine, rebuilds against live catch-up, and
/// `explain` against the stored emission of every uid of an epoch.</summary>
public sealed class SimulatedLedgerTests(SimulatedLedger ledger) : IClassFixture<SimulatedLedger>
{
    [Fact]
    public async Task AfterSimulate_RebuildAllLeavesEveryDigestUnchanged()
    {
        await using var services = new ServiceCollection().AddLedgerApplication(ledger.ConnectionString).BuildServiceProvider();
        var live = await Send(services, new GetDigests());

        var rebuilt = await Send(services, new RebuildProjections([], All: true));
        var after = await Send(services, new GetDigests());

        rebuilt.Gaps.ShouldBeEmpty();
        rebuilt.Skipped.ShouldBeEmpty();
        after.Digests.ShouldBe(live.Digests);
        live.Digests.Single(d => d.Name == "emissions").Rows.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task StakeBalancesAndBooks_EqualTheEnginesFoldOfTheSameEvents()
    {
        await using var services = new ServiceCollection().AddLedgerApplication(ledger.ConnectionString).BuildServiceProvider();
        await Send(services, new GetDigests()); // catch up
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var engine = await services.GetRequiredService<StoredEvents>().FoldAsync(connection, TestContext.Current.CancellationToken);

        var positions = 0;
        await using (var cmd = new NpgsqlCommand("select netuid, hotkey, coldkey, balance from ledger.stake_balance", connection))
        await using (var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                positions++;
                var expected = engine.State.Stake(Coldkey.Parse(reader.GetString(2)), Hotkey.Parse(reader.GetString(1)), new NetUid((ushort)reader.GetInt32(0)));
                ((ulong)reader.GetFieldValue<BigInteger>(3)).ShouldBe(expected.Value);
            }
        }

        positions.ShouldBeGreaterThan(SimulatedLedger.Options.Neurons);
        foreach (var asset in engine.State.Books.Assets)
        {
            var id = asset.Subnet is { } n ? n.Value : -1;
            // Not unissued, dust or the pots: the coinbase accrues them block by block and the store records the
            // accrual with each epoch, so the books run ahead of the projection until the subnet's next epoch.
            foreach (var kind in new[] { AccountKind.Burned, AccountKind.Recycled, AccountKind.Stake, AccountKind.External })
            {
                await using var cmd = new NpgsqlCommand("select coalesce(sum(delta), 0) from ledger.supply_block where asset = @a and kind = @k", connection);
                cmd.Parameters.AddWithValue("a", id);
                cmd.Parameters.AddWithValue("k", Account.KindName(kind));
                var projected = (BigInteger)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken) as decimal? ?? 0m);
                var books = engine.State.Books.Balances.Where(b => b.Key.Asset == asset && b.Key.Kind == kind).Aggregate(Int128.Zero, (s, b) => s + b.Value);
                projected.ShouldBe((BigInteger)books, $"{asset} {kind}");
            }
        }
    }

    [Fact]
    public async Task ExplainEveryUidOfAnEpoch_ReconcilesWithTheStoredEmission_AndThePotToTheRao()
    {
        await using var services = new ServiceCollection().AddLedgerApplication(ledger.ConnectionString).BuildServiceProvider();
        var net = new NetUid(1);
        var rows = (await Send(services, new GetEmissions(NetUid: net, FromEpoch: 3, ToEpoch: 3))).Rows;
        rows.Select(r => (int)r.Uid).ShouldBe(Enumerable.Range(0, rows.Count));
        rows.Count.ShouldBeGreaterThan(SimulatedLedger.Options.Validators);

        ulong paid = 0, drained = 0, rounding = 0;
        foreach (var row in rows)
        {
            var x = await Send(services, new ExplainEmission(net, 3, new Uid(row.Uid)));

            x.Reconciles.ShouldBeTrue($"uid {row.Uid}");
            (x.StoredServerEmission, x.StoredValidatorEmission, x.StakeWeight, x.Hotkey).ShouldBe((row.ServerEmission, row.ValidatorEmission, row.StakeWeight, row.Hotkey));
            x.IncentivePaid.ShouldBe(row.ServerEmission);
            x.ValidatorPaid.ShouldBe(row.Take + row.NominatorDividends + x.Payouts.Where(p => p.Reason == "Rounding").Aggregate(0UL, (s, p) => s + p.Amount));
            x.EpochSeq.ShouldBe(row.Seq);
            x.Payouts.ShouldAllBe(p => p.Seq == x.PostedSeq);
            foreach (var m in x.Mechanisms)
            {
                foreach (var w in m.Weights)
                {
                    // Consensus clips each validator's weight on the uid at the uid's consensus.
                    w.Clipped.Bits.ShouldBe(Math.Min(w.Normalized.Bits, m.Consensus.Bits));
                    w.WasClipped.ShouldBe(w.Normalized.Bits > m.Consensus.Bits);
                    w.WeightsSeq.ShouldNotBeNull().ShouldBeLessThan(x.EpochSeq);
                }
            }

            paid += x.IncentivePaid + x.ValidatorPaid;
            (drained, rounding) = (x.DrainedPot, x.SubnetRounding.Aggregate(0UL, (s, p) => s + p.Amount));
        }

        // Every rao of the drained pots went to a uid or, as the floors' remainder, to dust.
        (paid + rounding).ShouldBe(drained);
    }

    [Fact]
    public async Task ProjectorsEventReader_ReadsEveryStoredEventExactlyAsMartenDoes()
    {
        await using var services = new ServiceCollection().AddLedgerApplication(ledger.ConnectionString).BuildServiceProvider();
        var stored = services.GetRequiredService<StoredEvents>();
        var reader = new Bittensor.Ledger.Projections.Tailing.EventReader();
        var types = LedgerStore.EventTypes.ToDictionary(LedgerStore.EventTypeName, t => t);
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("select seq_id, type, data from ledger.mt_events order by seq_id", connection);
        await using var rows = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var seen = new HashSet<string>();
        while (await rows.ReadAsync(TestContext.Current.CancellationToken))
        {
            var alias = rows.GetString(1);
            var marten = stored.Read(rows.GetInt64(0), alias, rows, 2);
            // From the UTF-8 bytes, as the projector reads a page.
            var json = System.Text.Encoding.UTF8.GetBytes(rows.GetString(2));
            var ours = reader.Read(types[alias], json);
            // Twice through the cache: the second read of the same keys must not differ from the first.
            var again = reader.Read(types[alias], json);
            stored.Json(ours).ShouldBe(stored.Json(marten));
            stored.Json(again).ShouldBe(stored.Json(marten));
            seen.Add(alias);
        }

        seen.IsSupersetOf(["network_started", "subnet_registered", "neuron_registered", "weights_set", "stake_added", "epoch_completed", "subnet_emission_posted"]).ShouldBeTrue(string.Join(", ", seen));
    }

    [Fact]
    public async Task ExplainCli_ExitsTwoForAnEpochThatDoesNotExist_AndPrintsReconciles()
    {
        var missing = await AuditCliRunner.RunAsync("explain", "--netuid", "1", "--epoch", "9999", "--uid", "0", "--connection", ledger.ConnectionString);
        var found = await AuditCliRunner.RunAsync("explain", "--netuid", "1", "--epoch", "2", "--uid", "1", "--connection", ledger.ConnectionString);

        missing.ExitCode.ShouldBe(2);
        missing.Error.ShouldStartWith("epoch: subnet 1 has no completed epoch 9999");
        found.ExitCode.ShouldBe(0, found.Error);
        found.Output.ShouldContain("reconciles");
        found.Output.ShouldContain("weights received, clipped at consensus");
    }

    private static async Task<T> Send<T>(ServiceProvider services, IQuery<T> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query, TestContext.Current.CancellationToken);
    }

    private static async Task<T> Send<T>(ServiceProvider services, ICommand<T> command)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command, TestContext.Current.CancellationToken);
    }
}
