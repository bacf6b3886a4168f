using Bittensor.Ledger.Domain;
using Marten;
using Npgsql;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Reads and writes events in Marten's own tables and formats, for the paths that bypass the session
/// (the bulk import and the state fold): the same JSON serializer, the same event type names and .NET type names
/// Marten writes, so Marten reads these events back as if it had appended them.</summary>
public sealed class StoredEvents
{
    private readonly ISerializer _serializer;
    private readonly Dictionary<Type, (string Alias, string DotnetType)> _byType = [];
    private readonly Dictionary<string, Type> _byAlias = new(StringComparer.Ordinal);

    public StoredEvents(IDocumentStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _serializer = store.Options.Serializer();
        foreach (var type in LedgerStore.EventTypes)
        {
            var alias = LedgerStore.EventTypeName(type);
            _byType[type] = (alias, $"{type.FullName}, {type.Assembly.GetName().Name}");
            _byAlias[alias] = type;
        }
    }

    public string Json(ILedgerEvent e) => _serializer.ToJson(e);

    public (string Alias, string DotnetType) Names(ILedgerEvent e) => _byType[e.GetType()];

    /// <summary>Folds every stored event, in sequence order, into a fresh <see cref="LedgerState"/>. Rows are
    /// streamed, so memory holds the state, not the log.</summary>
    public async Task<LedgerState> FoldAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var state = new LedgerState();
        await using var cmd = new NpgsqlCommand(
            $"select seq_id, type, data from {LedgerStore.Schema}.mt_events where is_archived = false order by seq_id", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var alias = reader.GetString(1);
            if (!_byAlias.TryGetValue(alias, out var type))
            {
                throw new InvalidOperationException($"event {reader.GetInt64(0)} has type '{alias}', which this ledger does not know");
            }

            var e = (ILedgerEvent)_serializer.FromJson(type, reader, 2);
            if (!state.TryApply(e, out var violation))
            {
                throw new InvalidOperationException($"stored event {reader.GetInt64(0)} ({alias}) breaks a ledger rule: {violation}");
            }
        }

        return state;
    }
}
