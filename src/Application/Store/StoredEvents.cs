using System.Buffers;
using Bittensor.Ledger.Domain.Epochs;
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

    /// <summary>Writes the UTF-8 of <see cref="Json"/> into <paramref name="buffer"/>, emptied first, so a caller that
    /// compares many large events (verify: an epoch's results are 100–400 kB of JSON, issue 12) reuses one buffer instead
    /// of allocating two strings on the large-object heap per comparison.</summary>
    public ReadOnlySpan<byte> Utf8Json(ArrayBufferWriter<byte> buffer, ILedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        buffer.ResetWrittenCount();
        _serializer.WriteTo(buffer, e);
        return buffer.WrittenSpan;
    }

    public (string Alias, string DotnetType) Names(ILedgerEvent e) => _byType[e.GetType()];

    /// <summary>Folds the stored events after <see cref="LedgerEngine.LastSequence"/>, in sequence order, into
    /// <paramref name="engine"/> (a fresh one when null): the facts' state, the coinbase clock and the recorded epoch
    /// results. Rows are streamed, so memory holds the state, not the log. A stored event the rules reject means the
    /// store and this code disagree; the fold stops and names it.</summary>
    public async Task<LedgerEngine> FoldAsync(NpgsqlConnection connection, CancellationToken ct, LedgerEngine? engine = null)
    {
        engine ??= new LedgerEngine();
        await foreach (var (seq, e) in ReadAsync(connection, engine.LastSequence, ct).ConfigureAwait(false))
        {
            if (!engine.TryApply(e, out var violation))
            {
                throw new InvalidOperationException($"stored event {seq} ({LedgerStore.EventTypeName(e.GetType())}) breaks a ledger rule: {violation}");
            }

            engine.LastSequence = seq;
        }

        return engine;
    }

    /// <summary>Every stored event after sequence <paramref name="after"/>, in sequence order, streamed.</summary>
    public async IAsyncEnumerable<(long Seq, ILedgerEvent Event)> ReadAsync(
        NpgsqlConnection connection, long after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand(
            $"select seq_id, type, data from {LedgerStore.Schema}.mt_events where is_archived = false and seq_id > @after order by seq_id", connection);
        cmd.Parameters.AddWithValue("after", after);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var seq = reader.GetInt64(0);
            yield return (seq, Read(seq, reader.GetString(1), reader, 2));
        }
    }

    /// <summary>Deserializes one stored event row's data column.</summary>
    public ILedgerEvent Read(long seq, string alias, NpgsqlDataReader reader, int dataColumn)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (!_byAlias.TryGetValue(alias, out var type))
        {
            throw new InvalidOperationException($"event {seq} has type '{alias}', which this ledger does not know");
        }

        return (ILedgerEvent)_serializer.FromJson(type, reader, dataColumn);
    }
}
