using System.Runtime.CompilerServices;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Bittensor.Ledger.IntegrationTests.Projections.AuditChain;

namespace Bittensor.Ledger.IntegrationTests.Projections;

/// <summary>Rebuilds reproduce what live catch-up built, digests notice any difference, and sequence gaps and events
/// the projector cannot read are reported rather than passed over.</summary>
public sealed class RebuildTests
{
    [Fact]
    public async Task RebuildAll_LeavesEveryDigestUnchanged()
    {
        var (services, db) = await SeededAsync();
        await using var _ = services;
        var live = await Send(services, new GetDigests());

        var rebuilt = await Send(services, new RebuildProjections([], All: true));
        var after = await Send(services, new GetDigests());

        rebuilt.Events.ShouldBe(12); // 13 stored; no tailing projection reads subnet_registered
        after.Digests.ShouldBe(live.Digests);
        live.Digests.Select(d => d.Name).ShouldBe(["stake", "emissions", "bonds", "weights", "neurons", "supply", "chain"]);
        live.Digests.Where(d => d.Name != "chain").ShouldAllBe(d => d.Rows > 0 && d.Checkpoint == 13);
        live.Digests.Single(d => d.Name == "chain").Rows.ShouldBe(0, "a simulated ledger holds no observed chain facts");
        // The rebuild drops and recreates the secondary indexes: they must come back exactly as Marten declares them.
        await Should.NotThrowAsync(() => services.GetRequiredService<Marten.IDocumentStore>().Storage.Database
            .AssertDatabaseMatchesConfigurationAsync(TestContext.Current.CancellationToken));
        (await ScalarAsync(db, "select count(*) from ledger.emission_history")).ShouldBe(2L);
        (await ScalarAsync(db, "select count(*) from ledger.emission_posting")).ShouldBe(8L);
        (await ScalarAsync(db, "select bonds::text from ledger.bonds_history where netuid = 1 and epoch = 1 and uid = 0")).ShouldBe("{40000}");
        (await ScalarAsync(db, "select weights::text from ledger.weights_history where netuid = 1 and uid = 0")).ShouldBe("{65535,30000}");
    }

    [Fact]
    public async Task DeletedRows_ChangeTheDigest_AndRebuildingThatProjectionRestoresIt()
    {
        var (services, db) = await SeededAsync();
        await using var _ = services;
        var live = await Send(services, new GetDigests());

        await ExecAsync(db, "delete from ledger.stake_history where reason = 'NominatorDividend'");
        var damaged = await Send(services, new GetDigests());
        await Send(services, new RebuildProjections(["stake"], All: false));
        var restored = await Send(services, new GetDigests());

        Digest(damaged, "stake").ShouldNotBe(Digest(live, "stake"));
        Digest(damaged, "supply").ShouldBe(Digest(live, "supply"));
        restored.Digests.ShouldBe(live.Digests);
    }

    [Fact]
    public async Task RebuildStoppedBeforeItsLastPage_TheNextCatchUpDerivesTheStakeBalances()
    {
        var (services, db) = await SeededAsync();
        await using var _ = services;
        var live = await Send(services, new GetDigests());
        var committed = (long)(await ScalarAsync(db, "select max(seq_id) from ledger.stake_history where seq_id < (select max(seq_id) from ledger.stake_history)"))!;

        // What a rebuild killed after some pages has committed: stake_history and the stake checkpoint through those
        // pages, and no stake_balance (a run on empty tables writes it when it completes).
        await ExecAsync(db, "truncate ledger.stake_balance");
        await ExecAsync(db, $"delete from ledger.stake_history where seq_id > {committed}");
        await ExecAsync(db, $"update ledger.projection_checkpoint set seq_id = {committed} where name = 'stake'");
        (await ScalarAsync(db, "select count(*) from ledger.stake_history")).ShouldNotBe(0L, "the stopped rebuild had committed stake_history rows");
        var resumed = await Send(services, new GetDigests());

        resumed.CatchUp.Events.ShouldBeGreaterThan(0, "the catch-up projected the stake events after the stopped rebuild's checkpoint");
        resumed.Digests.ShouldBe(live.Digests);
        (await Send(services, new GetStake(Coldkey: ColdC))).Positions.ShouldHaveSingleItem().Stake.ShouldBe(327UL);
    }

    [Fact]
    public async Task LiveCatchUpInSteps_EqualsOneRebuild()
    {
        var db = await PostgresServer.CreateDatabaseAsync("rebuild_steps");
        await using var services = Services(db);
        await services.GetRequiredService<Application.Store.SchemaReady>().EnsureAsync(TestContext.Current.CancellationToken);
        foreach (var e in Before().Concat(Epoch()).Concat(After()))
        {
            // One event at a time, a catch-up after each: the stake ledger's running balances cross page boundaries.
            await AppendThroughMartenAsync(services, [e]);
            try
            {
                await Send(services, new GetStake(Coldkey: ColdA));
            }
            catch (Application.Audit.NotFoundException)
            {
                // Before ColdA's first stake the query says it is unknown; the catch-up it triggered has still run.
            }
        }

        var live = await Send(services, new GetDigests());
        await Send(services, new RebuildProjections([], All: true));
        (await Send(services, new GetDigests())).Digests.ShouldBe(live.Digests);
        (await Send(services, new GetStake(Coldkey: ColdC))).Positions.ShouldHaveSingleItem().Stake.ShouldBe(327UL);
    }

    [Fact]
    public async Task SequenceGapsAndUnknownEvents_AreReportedAndRecorded()
    {
        var (services, db) = await SeededAsync();
        await using var _ = services;
        await Send(services, new GetDigests());
        // Three sequence values drawn outside the writer lock and never used (no writer gives them back, so the log
        // holds a hole nobody can prove empty), then an event of a type this ledger does not know, then a real event.
        await ExecAsync(db, "select nextval('ledger.mt_events_sequence') from generate_series(1, 3)");
        await ExecAsync(db,
            "insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived) " +
            "values (nextval('ledger.mt_events_sequence'), gen_random_uuid(), 'network:0', 1000, '{}', 'mystery_happened', '*DEFAULT*', now(), 'Mystery', false)");
        await AppendThroughMartenAsync(services, [new StakeAdded(new Block(50), ColdC, A, Net, new Rao(1), null)]);

        var report = await Send(services, new GetDigests());
        var cli = await AuditCliRunner.RunAsync("digest", "--connection", db);

        report.CatchUp.Gaps.ShouldBe([new Bittensor.Ledger.Projections.Tailing.SequenceGap(14, 16)]);
        report.CatchUp.Skipped.ShouldHaveSingleItem().ShouldBe(new Bittensor.Ledger.Projections.Tailing.SkippedEvent(17, "mystery_happened", "unknown event type: this ledger version cannot read it"));
        report.Gaps.ShouldBe([new Bittensor.Ledger.Projections.Tailing.SequenceGap(14, 16)]);
        report.Digests.ShouldAllBe(d => d.Checkpoint == 18);
        (await Send(services, new GetStake(Coldkey: ColdC))).Positions.ShouldHaveSingleItem().Stake.ShouldBe(328UL);
        cli.ExitCode.ShouldBe(1);
        cli.Error.ShouldContain("ledger: digest: 3 events are missing from the log (1 sequence gaps, the first seq 14..16)");
        cli.Output.ShouldContain("gap: seq 14..16");
        cli.Output.ShouldContain("skipped: seq 17 (mystery_happened)");
    }

    private static string Digest(DigestReport report, string name) => report.Digests.Single(d => d.Name == name).Digest;

    private static async Task<(ServiceProvider, string)> SeededAsync([CallerMemberName] string test = "")
    {
        var db = await PostgresServer.CreateDatabaseAsync($"rebuild_{test}");
        var services = Services(db);
        await SeedAsync(services);
        return (services, db);
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

    private static async Task ExecAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<object?> ScalarAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
