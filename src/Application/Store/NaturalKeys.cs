using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Marten;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Application.Store;

/// <summary>The natural key of every stored event — an imported line, a fact recorded by a command, an epoch the
/// ledger derived — with the sequence of the event it produced. The primary key makes a second import of the same
/// line a no-op; it is written in the same transaction as the events.</summary>
public static class NaturalKeys
{
    /// <summary>The natural key of a derived event: one per (subnet, epoch) and kind, whichever path stores it.</summary>
    public static string Derived(ILedgerEvent derived) => derived switch
    {
        EpochCompleted c => $"derived:epoch_completed:{c.NetUid}:{c.Epoch}",
        SubnetEmissionPosted p => $"derived:subnet_emission_posted:{p.NetUid}:{p.Epoch}",
        _ => throw new ArgumentException($"{derived?.GetType().Name} is not a derived event", nameof(derived)),
    };

    /// <summary>Appends <paramref name="e"/> to its stream and queues its natural key after it in the same unit of work
    /// and transaction, so <c>currval</c> of the event sequence is this event's seq_id.</summary>
    public static void Append(IDocumentSession session, ILedgerEvent e, string naturalKey)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.Events.Append(StreamIds.For(e), e);
        session.QueueSqlCommand(
            $"insert into {QualifiedName} (natural_key, seq_id) values (?, currval('{LedgerStore.Schema}.mt_events_sequence'))", naturalKey);
    }

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
