using System.Globalization;
using Npgsql;

namespace Bittensor.Ledger.MainnetDay.Bench;

public sealed record StatementCost(string Query, long Calls, double TotalMs, double MeanMs, long Rows);

/// <summary>pg_stat_statements for the bench's database, reset before each phase and read after it: where
/// PostgreSQL's time went. Only when the server preloads the extension (it cannot be loaded later); otherwise
/// <see cref="Unavailable"/> says why and how to turn it on.</summary>
internal sealed class Statements
{
    private readonly NpgsqlDataSource _dataSource;

    private Statements(NpgsqlDataSource dataSource, string? unavailable)
    {
        _dataSource = dataSource;
        Unavailable = unavailable;
    }

    /// <summary>Null when the statistics are collected; otherwise why not.</summary>
    public string? Unavailable { get; }

    public static async Task<Statements> OpenAsync(NpgsqlDataSource dataSource)
    {
        await using (var cmd = dataSource.CreateCommand(
            "select exists(select 1 from pg_available_extensions where name = 'pg_stat_statements'), current_setting('shared_preload_libraries')"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            if (!reader.GetBoolean(0))
            {
                return new Statements(dataSource, "pg_stat_statements is not installed on this server (PostgreSQL contrib)");
            }

            if (!reader.GetString(1).Contains("pg_stat_statements", StringComparison.Ordinal))
            {
                return new Statements(dataSource,
                    "pg_stat_statements is installed but not in shared_preload_libraries (ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', then restart the server)");
            }
        }

        try
        {
            await using var create = dataSource.CreateCommand("create extension if not exists pg_stat_statements");
            await create.ExecuteNonQueryAsync();
        }
        catch (PostgresException e)
        {
            return new Statements(dataSource, $"create extension pg_stat_statements failed: {e.MessageText}");
        }

        return new Statements(dataSource, null);
    }

    public async Task ResetAsync()
    {
        if (Unavailable is null)
        {
            await using var cmd = _dataSource.CreateCommand("select pg_stat_statements_reset()");
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>This database's statements since the last reset, by total execution time.</summary>
    public async Task<IReadOnlyList<StatementCost>> TopAsync(int count)
    {
        if (Unavailable is not null)
        {
            return [];
        }

        var top = new List<StatementCost>();
        await using var cmd = _dataSource.CreateCommand(
            """
            select regexp_replace(query, '\s+', ' ', 'g'), calls, total_exec_time, mean_exec_time, rows
            from pg_stat_statements
            where dbid = (select oid from pg_database where datname = current_database())
              and query not like '%pg_stat_statements%'
            order by total_exec_time desc
            limit $1
            """);
        cmd.Parameters.AddWithValue(count);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var query = reader.GetString(0);
            top.Add(new StatementCost(query.Length > 140 ? query[..140] + "…" : query, reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetInt64(4)));
        }

        return top;
    }

    public static string Format(StatementCost s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.TotalMs,10:F0} ms {s.Calls,9} calls {s.MeanMs,9:F3} ms/call {s.Rows,10} rows  {s.Query}");
}
