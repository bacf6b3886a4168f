using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Where <c>ledger chain sync</c> of each subnet has got to: the next block to read, and the hash of the last
/// block it committed (so a resume against another chain is refused). Written in the same transaction as the facts of
/// each batch of blocks, so the checkpoint never runs ahead of what is stored.</summary>
public static class ChainCheckpoints
{
    public const string TableName = "ledger_chain_checkpoints";

    public static string QualifiedName => $"{LedgerStore.Schema}.{TableName}";

    /// <summary>Upsert of one subnet's checkpoint; '?' placeholders as Marten's QueueSqlCommand takes them.</summary>
    public static string UpsertSql => $"insert into {QualifiedName} (netuid, next_block, last_hash, spec_version) values (?, ?, ?, ?) " +
        "on conflict (netuid) do update set next_block = excluded.next_block, last_hash = excluded.last_hash, spec_version = excluded.spec_version";

    internal static Table Table()
    {
        var table = new Table(QualifiedName);
        table.AddColumn<int>("netuid").AsPrimaryKey();
        table.AddColumn<long>("next_block").NotNull();
        table.AddColumn<string>("last_hash").NotNull();
        table.AddColumn<long>("spec_version").NotNull();
        return table;
    }

    /// <summary>The stored checkpoints of these subnets.</summary>
    public static async Task<IReadOnlyDictionary<ushort, (long NextBlock, string LastHash)>> ReadAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<ushort> netuids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var found = new Dictionary<ushort, (long, string)>();
        await using var cmd = dataSource.CreateCommand($"select netuid, next_block, last_hash from {QualifiedName} where netuid = any(@n)");
        cmd.Parameters.AddWithValue("n", netuids.Select(n => (int)n).ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            found[(ushort)reader.GetInt32(0)] = (reader.GetInt64(1), reader.GetString(2));
        }

        return found;
    }
}
