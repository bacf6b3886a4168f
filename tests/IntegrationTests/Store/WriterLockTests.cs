using System.Runtime.CompilerServices;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Bittensor.Ledger.IntegrationTests.Projections.AuditChain;

namespace Bittensor.Ledger.IntegrationTests.Store;

/// <summary>Issue 13: a writer taking the lock gives back the sequence numbers an earlier writer drew and never
/// committed, so a rolled-back or killed batch leaves no hole (docs/adr/0007-projections.md, "Sequence holes").</summary>
public sealed class WriterLockTests
{
    [Fact]
    public async Task NumbersARolledBackBatchDrew_AreDrawnAgainByTheNextWriter()
    {
        var (services, db) = await SeededAsync();
        await using var _ = services;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await using (await WriterLock.AcquireAsync(dataSource, TestContext.Current.CancellationToken))
        {
            await DrawAndRollBackAsync(db, 50);
        }

        var drawnBefore = await LastDrawnAsync(db);
        await using (await WriterLock.AcquireAsync(dataSource, TestContext.Current.CancellationToken))
        {
            (await LastDrawnAsync(db)).ShouldBe(13);
        }

        await services.GetRequiredService<EventBatchWriter>().AppendAsync(
            [new KeyedEvent(new StakeAdded(new Block(50), ColdC, A, Net, new Rao(1), null), "after-rollback")], TestContext.Current.CancellationToken);

        drawnBefore.ShouldBe(63);
        (await ScalarAsync(db, "select max(seq_id) from ledger.mt_events")).ShouldBe(14L);
        (await ScalarAsync(db, "select count(*) from ledger.mt_events")).ShouldBe(14L);
    }

    [Fact]
    public async Task LedgerWriter_AfterAFailedAppend_GivesBackWhatItDrewBeforeGoingOn()
    {
        // An empty ledger (the writer folds it with the rules; the seeded history above is not a rule-checked one).
        var db = await PostgresServer.CreateDatabaseAsync("writer_lock_ledger_writer");
        await using var services = Services(db);
        await services.GetRequiredService<SchemaReady>().EnsureAsync(TestContext.Current.CancellationToken);
        await using var writer = new LedgerWriter(
            services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<StoredEvents>(), services.GetRequiredService<SchemaReady>(), LockWaits.Silent);

        await Should.ThrowAsync<InvalidOperationException>(() => writer.WithEngineAsync<int>(async _ =>
        {
            await DrawAndRollBackAsync(db, 20);
            throw new InvalidOperationException("the append failed");
        }, TestContext.Current.CancellationToken));
        var nextAfterFailure = await NextAsync(db);
        var nextWhenGoingOn = await writer.WithEngineAsync(_ => NextAsync(db), TestContext.Current.CancellationToken);

        nextAfterFailure.ShouldBe(21);
        nextWhenGoingOn.ShouldBe(1);
    }

    [Fact]
    public async Task ABatchStillOpenWhenItsWriterDied_IsWaitedFor_AndItsLateCommitKept()
    {
        var (services, db) = await SeededAsync();
        await using var _ = services;
        var ct = TestContext.Current.CancellationToken;

        // A batch of a writer that is gone (its lock released) whose transaction is still open: it holds the fence
        // and has drawn its numbers; its COMMIT arrives after the next writer started taking the lock.
        await using var late = new NpgsqlConnection(db);
        await late.OpenAsync(ct);
        await using var tx = await late.BeginTransactionAsync(ct);
        await using (var draw = new NpgsqlCommand(
            $"select pg_advisory_xact_lock_shared({WriterLock.FenceKey}), setval('ledger.mt_events_sequence', 13 + 5)", late, tx))
        {
            await draw.ExecuteNonQueryAsync(ct);
        }

        await using (var insert = new NpgsqlCommand(
            "insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived) " +
            "select 14 + g, gen_random_uuid(), 'network:0', 1000 + g, '{}', 'mystery_happened', '*DEFAULT*', now(), 'Mystery', false from generate_series(0, 4) g", late, tx))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }

        var acquiring = WriterLock.AcquireAsync(services.GetRequiredService<NpgsqlDataSource>(), ct);
        await Task.Delay(300, ct);
        var waitedForTheBatch = !acquiring.IsCompleted;
        await tx.CommitAsync(ct);
        await using (await acquiring)
        {
            // Not set back below the late commit: the next number drawn is after it.
            (await LastDrawnAsync(db)).ShouldBe(18);
        }

        waitedForTheBatch.ShouldBeTrue();
    }

    [Fact]
    public async Task AMartenAppendHoldingTheFence_WaitsForANewWriterThatHasItExclusively()
    {
        var (services, db) = await SeededAsync();
        await using var _ = services;
        var ct = TestContext.Current.CancellationToken;
        await using var exclusive = new NpgsqlConnection(db);
        await exclusive.OpenAsync(ct);
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({WriterLock.FenceKey})", exclusive))
        {
            await take.ExecuteNonQueryAsync(ct);
        }

        await using var session = services.GetRequiredService<Marten.IDocumentStore>().LightweightSession();
        WriterLock.HoldFence(session);
        session.Events.Append("stake:1:0", new StakeAdded(new Block(50), ColdC, A, Net, new Rao(1), null));
        var saving = session.SaveChangesAsync(ct);
        await Task.Delay(300, ct);
        var waited = !saving.IsCompleted;
        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({WriterLock.FenceKey})", exclusive))
        {
            await release.ExecuteNonQueryAsync(ct);
        }

        await saving;
        waited.ShouldBeTrue();
        (await ScalarAsync(db, "select count(*) from ledger.mt_events")).ShouldBe(14L);
    }

    private static async Task DrawAndRollBackAsync(string db, int n)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var tx = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var cmd = new NpgsqlCommand($"select nextval('ledger.mt_events_sequence') from generate_series(1, {n})", connection, tx))
        {
            await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await tx.RollbackAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The number the next draw from the sequence will return.</summary>
    private static async Task<long> NextAsync(string db) =>
        (long)(await ScalarAsync(db, "select case when is_called then last_value + 1 else last_value end from ledger.mt_events_sequence"))!;

    private static async Task<long> LastDrawnAsync(string db) =>
        (long)(await ScalarAsync(db, "select last_value from ledger.mt_events_sequence"))!;

    private static async Task<(ServiceProvider, string)> SeededAsync([CallerMemberName] string test = "")
    {
        var db = await PostgresServer.CreateDatabaseAsync($"writer_lock_{test}");
        var services = Services(db);
        await SeedAsync(services);
        (await ScalarAsync(db, "select max(seq_id) from ledger.mt_events")).ShouldBe(13L);
        return (services, db);
    }

    private static async Task<object?> ScalarAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
