using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Postgres;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task CreatedDatabases_AreEmptyAndIsolatedFromEachOther()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await PostgresServer.CreateDatabaseAsync(nameof(PostgresServerTests) + "_First");
        var second = await PostgresServer.CreateDatabaseAsync(nameof(PostgresServerTests) + "_Second");

        await ExecuteAsync(first, "create table only_here(id int)", ct);

        (await TableCountAsync(first, ct)).ShouldBe(1);
        (await TableCountAsync(second, ct)).ShouldBe(0);
        new NpgsqlConnectionStringBuilder(first).Database.ShouldBe("t_postgresservertests_first");
    }

    [Fact]
    public async Task CreateDatabase_Again_StartsEmpty()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = nameof(PostgresServerTests) + "_Again";
        var connection = await PostgresServer.CreateDatabaseAsync(name);
        await ExecuteAsync(connection, "create table leftover(id int)", ct);

        var recreated = await PostgresServer.CreateDatabaseAsync(name);

        (await TableCountAsync(recreated, ct)).ShouldBe(0);
    }

    [Fact]
    public async Task GetConnectionString_ReturnsTheSameServerEveryTime()
    {
        var connections = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostgresServer.GetConnectionStringAsync()));

        connections.Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public void DatabaseNames_AreSafeIdentifiers()
    {
        PostgresServer.DatabaseNameFor("My-Tests.Class").ShouldBe("t_my_tests_class");
        PostgresServer.DatabaseNameFor(new string('x', 100)).Length.ShouldBe(63);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> TableCountAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select count(*) from pg_tables where schemaname = 'public'", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
