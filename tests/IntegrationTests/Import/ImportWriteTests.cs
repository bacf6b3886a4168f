using System.Runtime.CompilerServices;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Bittensor.Ledger.IntegrationTests.Import.TestChain;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>The batch writer's shortcuts (docs/adr/0001-streams.md, "Import path"): as a superuser it skips the
/// per-row foreign-key trigger of mt_events, because the same transaction has just upserted and locked every stream
/// row the batch references; as an ordinary role the trigger runs. Either way every imported event must reference
/// its stream and each stream's versions must run 1..n with mt_streams.version = n.</summary>
public sealed class ImportWriteTests : IDisposable
{
    private const string Role = "ledger_import_tester";
    private const string Password = "import-tester";

    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-import-write-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AsSuperuser_StreamsAndVersionsAreWhatTheForeignKeyWouldCheck()
    {
        var db = await DatabaseAsync();
        (await ScalarAsync(db, "select current_setting('is_superuser')")).ShouldBe("on");

        await ImportInTwoStepsAsync(db);

        await AssertStreamsConsistentAsync(db);
    }

    [Fact]
    public async Task AsAnOrdinaryRole_TheImportRunsWithTheForeignKeyChecked()
    {
        var admin = await DatabaseAsync();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var role = new NpgsqlCommand(
                $"do $$ begin create role {Role} login password '{Password}'; exception when duplicate_object then null; end $$", connection);
            await role.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            await using var owner = new NpgsqlCommand($"alter database \"{connection.Database}\" owner to {Role}", connection);
            await owner.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var db = new NpgsqlConnectionStringBuilder(admin) { Username = Role, Password = Password }.ConnectionString;
        (await ScalarAsync(db, "select current_setting('is_superuser')")).ShouldBe("off");

        await ImportInTwoStepsAsync(db);

        await AssertStreamsConsistentAsync(db);
        (await ScalarAsync(db, "select count(*) from ledger.ledger_natural_keys")).ShouldBe(8L);
    }

    /// <summary>Batches of 2 over 8 lines, the second import adding to streams the first created.</summary>
    private async Task ImportInTwoStepsAsync(string db)
    {
        await using var services = new ServiceCollection().AddLedgerApplication(db).BuildServiceProvider();
        var lines = Genesis().Select(Line).ToList();
        var first = await WriteAsync(_directory, "first.ndjson", lines);
        (await SendAsync(services, new ImportFile(first, BatchSize: 2))).Appended.ShouldBe(5);

        lines.Add(Line(Weights(200, 1, 0)));
        lines.Add(Line(Weights(201, 2, 1)));
        lines.Add(Line(Weights(400, 1, 0)));
        var grown = await WriteAsync(_directory, "grown.ndjson", lines);
        var summary = await SendAsync(services, new ImportFile(grown, BatchSize: 2));
        (summary.Appended, summary.AlreadyPresent, summary.Error).ShouldBe((3L, 5L, null));
    }

    private static async Task AssertStreamsConsistentAsync(string db)
    {
        (await ScalarAsync(db, "select count(*) from ledger.mt_events e left join ledger.mt_streams s on s.id = e.stream_id where s.id is null"))
            .ShouldBe(0L);
        (await ScalarAsync(db,
            "select count(*) from ledger.mt_streams s join (select stream_id, count(*) n, max(version) v, min(version) lo from ledger.mt_events group by stream_id) e " +
            "on e.stream_id = s.id where s.version <> e.v or e.n <> e.v or e.lo <> 1")).ShouldBe(0L);
        (await ScalarAsync(db, "select count(*) from ledger.mt_streams")).ShouldBe(5L);
        // Weights at blocks 200, 201 and 400 share one window stream: versions 1, 2, 3 across two batches.
        (await ScalarAsync(db, "select string_agg(version::text, ',' order by seq_id) from ledger.mt_events where type = 'weights_set'")).ShouldBe("1,2,3");
    }

    private static async Task<ImportSummary> SendAsync(ServiceProvider services, ImportFile command)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command, TestContext.Current.CancellationToken);
    }

    private static Task<string> DatabaseAsync([CallerMemberName] string test = "") =>
        PostgresServer.CreateDatabaseAsync($"import_write_{test}");

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
