using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Application.Store;

/// <summary>The natural key of every imported line (and of every event recorded by a command), with the sequence
/// of the event it produced. The primary key makes a second import of the same line a no-op; it is written in the
/// same transaction as the events.</summary>
public static class ImportKeys
{
    public const string TableName = "ledger_natural_keys";

    public static string QualifiedName => $"{LedgerStore.Schema}.{TableName}";

    /// <summary>The natural keys of <paramref name="keys"/> already in the store.</summary>
    public static async Task<HashSet<string>> ExistingAsync(Npgsql.NpgsqlDataSource dataSource, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(keys);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return existing;
        }

        await using var cmd = dataSource.CreateCommand($"select natural_key from {QualifiedName} where natural_key = any(@keys)");
        cmd.Parameters.AddWithValue("keys", keys.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            existing.Add(reader.GetString(0));
        }

        return existing;
    }

    internal static Table Table()
    {
        var table = new Table(QualifiedName);
        table.AddColumn<string>("natural_key").AsPrimaryKey();
        table.AddColumn<long>("seq_id").NotNull();
        return table;
    }
}
