using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Application.Store;

/// <summary>A run that writes a ledger in several transactions and is only whole when it ends: `ledger simulate`
/// (and, later, a chain sync). Unlike an import, which a re-run resumes line by line, a killed simulation leaves a
/// ledger that is sound but stops at an arbitrary block, and nothing in its events says so.</summary>
public sealed record LedgerRun(Guid Id, string Kind, string Description, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt)
{
    /// <summary>One line for `status`, once the run completed.</summary>
    public string Completed => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"`ledger {Kind}` ({Description}) started {StartedAt.UtcDateTime:u}, completed {CompletedAt?.UtcDateTime:u}");

    /// <summary>One line for `status` and `verify`, while the run has not completed.</summary>
    public string Incomplete => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"`ledger {Kind}` ({Description}) started {StartedAt.UtcDateTime:u} and did not complete: the ledger holds only what it wrote before it stopped");
}

/// <summary>The runs recorded in <c>ledger.ledger_run</c>: started before the run writes anything, completed after its
/// last write (issue 13: a killed simulation was reported as a sound ledger). Times are the host's clock: they are
/// about the run, not facts of the chain, and no projection or digest reads them.</summary>
public static class LedgerRuns
{
    public const string TableName = "ledger_run";

    public static string QualifiedName => $"{LedgerStore.Schema}.{TableName}";

    internal static Table Table()
    {
        var table = new Table(QualifiedName);
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn<string>("description").NotNull();
        table.AddColumn("started_at", "timestamp with time zone").NotNull();
        table.AddColumn("completed_at", "timestamp with time zone");
        return table;
    }

    public static async Task<Guid> StartAsync(NpgsqlDataSource dataSource, string kind, string description, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(clock);
        var id = Guid.NewGuid();
        await using var cmd = dataSource.CreateCommand($"insert into {QualifiedName} (id, kind, description, started_at) values (@id, @kind, @description, @at)");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("kind", kind);
        cmd.Parameters.AddWithValue("description", description);
        cmd.Parameters.AddWithValue("at", clock.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return id;
    }

    public static async Task CompleteAsync(NpgsqlDataSource dataSource, Guid id, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(clock);
        await using var cmd = dataSource.CreateCommand($"update {QualifiedName} set completed_at = @at where id = @id");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("at", clock.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Every run that started and has not completed, oldest first (killed, failed, or still running).</summary>
    public static async Task<IReadOnlyList<LedgerRun>> IncompleteAsync(NpgsqlDataSource dataSource, CancellationToken ct) =>
        [.. (await AllAsync(dataSource, ct).ConfigureAwait(false)).Where(r => r.CompletedAt is null)];

    /// <summary>Every recorded run, oldest first.</summary>
    public static async Task<IReadOnlyList<LedgerRun>> AllAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var runs = new List<LedgerRun>();
        await using var cmd = dataSource.CreateCommand(
            $"select id, kind, description, started_at, completed_at from {QualifiedName} order by started_at, id");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            runs.Add(new LedgerRun(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return runs;
    }
}
