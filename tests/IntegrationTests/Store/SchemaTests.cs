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
