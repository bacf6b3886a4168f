using Bittensor.Ledger.Domain;
using System.Runtime.CompilerServices;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.IntegrationTests.Import;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Bittensor.Ledger.IntegrationTests.Import.TestChain;

namespace Bittensor.Ledger.IntegrationTests.Store;

/// <summary>The command path (RecordEvent through Mediator and Marten's own append) and the bulk import path share
/// one set of rules and one event store.</summary>
public sealed class RecordEventTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-record-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task UnregisteredHotkey_IsRejectedByTheCommandWithTheSameFieldAndReasonAsTheImport()
    {
        var db = await DatabaseAsync();
        await using var services = Services(db);
        foreach (var e in Genesis())
        {
            await Send(services, new RecordEvent(e));
        }

        var weights = Weights(200, 9, 0);
        var command = await Should.ThrowAsync<FieldErrorException>(() => Send(services, new RecordEvent(weights)));

        var file = await WriteAsync(_directory, "one.ndjson", [Line(weights)]);
        var import = await Send(services, new ImportFile(file));

        import.Error.ShouldNotBeNull();
        (import.Error.Field, import.Error.Reason).ShouldBe((command.Error.Field, command.Error.Reason));
        command.Error.Field.ShouldBe("hotkey");
    }

    [Fact]
    public async Task BadShape_IsRejectedByTheValidationPipelineWithTheImportsField()
    {
        var db = await DatabaseAsync();
        await using var services = Services(db);
        var empty = Weights(200, 1, 0) with { Uids = [], Values = [] };

        var ex = await Should.ThrowAsync<ValidationException>(() => Send(services, new RecordEvent(empty)));

        var file = await WriteAsync(_directory, "shape.ndjson", [.. Genesis().Select(Line), Line(empty)]);
        var import = await Send(services, new ImportFile(file));
        import.Error.ShouldNotBeNull();
        ex.Errors.Select(e => e.PropertyName).ShouldContain(import.Error.Field);
    }

    [Fact]
    public async Task MartenAppendsAfterABulkImport_ContinueTheStream_AndReadImportedEventsBack()
    {
        var db = await DatabaseAsync();
        await using var services = Services(db);
        var file = await WriteAsync(_directory, "genesis.ndjson", Genesis().Select(Line));
        (await Send(services, new ImportFile(file))).Appended.ShouldBe(5);

        var more = new StakeAdded(new Block(10), Cold(1), Hot(1), new NetUid(1), new Rao(5), null);
        var recorded = await Send(services, new RecordEvent(more));

        var store = services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var stream = await session.Events.FetchStreamAsync(recorded.StreamId, token: TestContext.Current.CancellationToken);
        stream.Select(e => e.Version).ShouldBe([1L, 2L]);
        stream[0].Data.ShouldBe(Genesis()[4]);
        stream[1].Data.ShouldBe(more);
        // The bulk path writes the same type names and .NET type names Marten does.
        (await ScalarAsync(db, "select count(distinct mt_dotnet_type) from ledger.mt_events where type = 'stake_added'")).ShouldBe(1L);
        // The natural key recorded in the command's transaction points at the event it appended.
        (await ScalarAsync(db, $"select k.seq_id = e.seq_id from ledger.ledger_natural_keys k join ledger.mt_events e on e.stream_id = '{recorded.StreamId}' and e.version = 2 where k.natural_key = '{recorded.NaturalKey}'")).ShouldBe(true);
        // ... and the inline projection counted it: 1000 imported + 5 recorded.
        (await ScalarAsync(db, "select total_stake::text from ledger.subnet_status where netuid = 1")).ShouldBe("1005");
    }

    [Fact]
    public async Task ImportingAFileWithARecordedFact_SkipsIt()
    {
        var db = await DatabaseAsync();
        await using var services = Services(db);
        foreach (var e in Genesis().Take(3))
        {
            (await Send(services, new RecordEvent(e))).AlreadyPresent.ShouldBeFalse();
        }

        var file = await WriteAsync(_directory, "overlap.ndjson", Genesis().Select(Line));
        var import = await Send(services, new ImportFile(file));

        (import.Appended, import.AlreadyPresent).ShouldBe((2L, 3L));
        (await Send(services, new RecordEvent(Genesis()[4]))).AlreadyPresent.ShouldBeTrue();
    }

    [Fact]
    public async Task ARecordedEpochTrigger_IsStoredWithTheEpochTheLedgerComputes_AndVerifyHolds()
    {
        var db = await DatabaseAsync();
        await using var services = Services(db);
        foreach (var e in Genesis())
        {
            await Send(services, new RecordEvent(e));
        }

        var trigger = await Send(services, new RecordEvent(new Domain.Subnets.EpochTriggered(new Block(50), new NetUid(1))));
        trigger.AlreadyPresent.ShouldBeFalse();
        (await Send(services, new RecordEvent(new Domain.Subnets.EpochTriggered(new Block(50), new NetUid(1))))).AlreadyPresent.ShouldBeTrue();
        var twice = await Should.ThrowAsync<FieldErrorException>(() =>
            Send(services, new RecordEvent(new Domain.Subnets.EpochTriggered(new Block(50), new NetUid(1)), "a second trigger")));
        twice.Error.Reason.ShouldContain("already ran at block 50");

        (await ScalarAsync(db, "select count(*) from ledger.mt_events where type = 'epoch_completed'")).ShouldBe(1L);
        (await ScalarAsync(db, "select count(*) from ledger.mt_events where type = 'subnet_emission_posted'")).ShouldBe(1L);
        (await ScalarAsync(db, "select count(*) from ledger.ledger_natural_keys where natural_key like 'derived:%'")).ShouldBe(2L);
        var report = await SendQuery(services, new Application.Epochs.VerifyLedger());
        report.Holds.ShouldBeTrue(string.Join("; ", report.Findings.Select(f => f.Reason)));
        report.Epochs.ShouldBe(1L);
        await Should.ThrowAsync<ValidationException>(() => Send(services, new RecordEvent(
            new Domain.Emissions.EpochCompleted(new Block(60), new NetUid(1), 1, null!, "", Rao.Zero, [], []))));
    }

    private static async Task<T> SendQuery<T>(ServiceProvider services, IQuery<T> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query, TestContext.Current.CancellationToken);
    }

    private static ServiceProvider Services(string connectionString) =>
        new ServiceCollection().AddLedgerApplication(connectionString).BuildServiceProvider();

    private static async Task<T> Send<T>(ServiceProvider services, ICommand<T> command)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command, TestContext.Current.CancellationToken);
    }

    private static Task<string> DatabaseAsync([CallerMemberName] string test = "") =>
        PostgresServer.CreateDatabaseAsync($"record_{test}");

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
