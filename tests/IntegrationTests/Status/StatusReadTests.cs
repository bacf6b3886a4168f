using Bittensor.Ledger.IntegrationTests.Import;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Status;

/// <summary>Issue 11, item 7: `ledger status` is a read, so it neither waits on nor performs a schema migration. On a
/// database no writer has touched it answers "nothing yet" and leaves the database as it found it; after an import it
/// answers from the tables the import wrote.</summary>
public sealed class StatusReadTests
{
    [Fact]
    public async Task Status_OnAnUntouchedDatabase_AnswersEmpty_AndCreatesNoSchema()
    {
        var db = await PostgresServer.CreateDatabaseAsync("status_untouched");

        var status = await ExecutableTests.RunAsync("status", "--json", "--connection", db);

        status.ExitCode.ShouldBe(0, status.Error);
        status.Output.ShouldContain("\"events\": 0");
        status.Output.ShouldContain("\"subnets\": []");
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var schema = new NpgsqlCommand("select count(*) from pg_namespace where nspname = 'ledger'", connection);
        ((long)(await schema.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(0L, "a read must not create the ledger's schema");
    }

    [Fact]
    public async Task Status_AfterAnImport_CountsItsEventsAndSubnets()
    {
        var db = await PostgresServer.CreateDatabaseAsync("status_imported");
        var imported = await ExecutableTests.RunAsync("import", Path.Combine(ExecutableTests.RepositoryRoot(), "samples", "sample-chain.ndjson"), "--connection", db);
        imported.ExitCode.ShouldBe(0, imported.Error);

        var status = await ExecutableTests.RunAsync("status", "--json", "--connection", db);

        status.ExitCode.ShouldBe(0, status.Error);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var max = new NpgsqlCommand("select max(seq_id) from ledger.mt_events", connection);
        var events = (long)(await max.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        events.ShouldBeGreaterThan(5_000L);
        status.Output.ShouldContain($"\"events\": {events}");
        await using var subnets = new NpgsqlCommand("select count(*) from ledger.subnet_status", connection);
        var count = (long)(await subnets.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        count.ShouldBeGreaterThan(0L);
        System.Text.RegularExpressions.Regex.Count(status.Output, "\"netuid\":").ShouldBe((int)count);
    }
}
