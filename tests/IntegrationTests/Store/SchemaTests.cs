using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.IntegrationTests.Import;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Store;

public sealed class SchemaTests
{
    /// <summary>db/schema/ledger.sql is what Marten generates for the current configuration; regenerate it with
    /// `ledger schema export` (db/README.md) when this fails.</summary>
    [Fact]
    public async Task CommittedSchema_MatchesWhatMartenGenerates()
    {
        var committed = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), SchemaScript.DefaultPath), TestContext.Current.CancellationToken);

        SchemaScript.Normalise(SchemaScript.Generate()).ShouldBe(SchemaScript.Normalise(committed),
            "db/schema/ledger.sql is stale: run `dotnet run --project src/Cli -- schema export` and commit it");
    }

    [Fact]
    public async Task SchemaExport_ToStdout_IsTheGeneratedScript()
    {
        var result = await LedgerCli.RunAsync("schema", "export", "--output", "-");

        result.ExitCode.ShouldBe(0);
        result.Output.ShouldContain("CREATE TABLE IF NOT EXISTS ledger.mt_events");
        result.Output.ShouldContain("CREATE TABLE IF NOT EXISTS ledger.subnet_status");
        result.Output.ShouldContain("CREATE TABLE IF NOT EXISTS ledger.ledger_natural_keys");
    }

    /// <summary>The production path of db/README.md: apply the committed SQL to an empty database, and Marten
    /// finds nothing left to create or change.</summary>
    [Fact]
    public async Task CommittedSchema_AppliedToAnEmptyDatabase_IsWhatMartenExpects()
    {
        var db = await PostgresServer.CreateDatabaseAsync("schema_applied");
        var sql = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), SchemaScript.DefaultPath), TestContext.Current.CancellationToken);
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var cmd = new NpgsqlCommand(sql, connection);
            await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var store = LedgerStore.Create(db);
        await Should.NotThrowAsync(() => store.Storage.Database.AssertDatabaseMatchesConfigurationAsync(TestContext.Current.CancellationToken));
        (await EventDataCompressionAsync(db)).ShouldBe("l");
    }

    /// <summary>The CLI's own migration (SchemaReady) sets what the committed script sets beyond Marten's DDL: the
    /// stored events' JSON is lz4-compressed, and rows written through it say so.</summary>
    [Fact]
    public async Task SchemaAppliedByTheCli_CompressesEventJsonWithLz4()
    {
        var db = await PostgresServer.CreateDatabaseAsync("schema_lz4");

        var result = await Projections.AuditCliRunner.RunAsync("digest", "--connection", db);
        await using var store = LedgerStore.Create(db);
        await using (var session = store.LightweightSession())
        {
            // Large enough to be compressed (PostgreSQL compresses values over ~2 kB).
            var uids = Enumerable.Range(0, 1024).Select(i => (ushort)i).ToArray();
            session.Events.Append("subnet-1", new Bittensor.Ledger.Domain.Weights.WeightsSet(
                new Bittensor.Ledger.Domain.Primitives.Block(1), new Bittensor.Ledger.Domain.Primitives.NetUid(1), 0, TestChain.Hot(1),
                new Bittensor.Ledger.Domain.Primitives.Uid(0), uids, uids, 1));
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        result.ExitCode.ShouldBe(0, result.Error);
        (await EventDataCompressionAsync(db)).ShouldBe("l");
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("select pg_column_compression(data) from ledger.mt_events", connection);
        (await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken)).ShouldBe("lz4");
    }

    private static async Task<string> EventDataCompressionAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("select attcompression::text from pg_attribute where attrelid = 'ledger.mt_events'::regclass and attname = 'data'", connection);
        return (string)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bittensor.Ledger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bittensor.Ledger.sln not found above " + AppContext.BaseDirectory);
    }
}
