using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;

namespace Bittensor.Ledger.Chain.Events;

/// <summary>When in the block an event was emitted: <c>Initialization</c>, <c>ApplyExtrinsic(n)</c> or <c>Finalization</c>.</summary>
public sealed record EventPhase(string Kind, uint? Extrinsic)
{
    public static readonly EventPhase Initialization = new("Initialization", null);

    public static readonly EventPhase Finalization = new("Finalization", null);

    public JsonNode ToJson() => Extrinsic is { } n ? new JsonObject { [Kind] = n } : JsonValue.Create(Kind);

    public override string ToString() => Extrinsic is { } n ? $"{Kind}({n})" : Kind;
}

/// <summary>
/// One decoded <c>frame_system::EventRecord</c>. <see cref="Raw"/> holds the SCALE bytes of the event itself (pallet
/// index, event index, fields), so a later decoder fix can re-decode it without asking the node again.
/// </summary>
public sealed record ChainEvent(
    int Index,
    EventPhase Phase,
    string Pallet,
    string Name,
    JsonNode Fields,
    IReadOnlyList<string> Topics,
    byte[] Raw)
{
    /// <summary>The record as <c>{"phase", "pallet", "event", "fields"}</c> (the fixture README's shape).</summary>
    public JsonObject ToJson() => new()
    {
        ["phase"] = Phase.ToJson(),
        ["pallet"] = Pallet,
        ["event"] = Name,
        ["fields"] = Fields.DeepClone(),
    };

    /// <summary>A named field of the event, or the <paramref name="position"/>-th when its fields are unnamed.</summary>
    public JsonNode? Field(string name, int position) => Fields switch
    {
        JsonObject named => named[name],
        JsonArray unnamed when position < unnamed.Count => unnamed[position],
        _ => null,
    };
}

/// <summary>Decodes the <c>System.Events</c> storage value of a block with that block's runtime metadata.</summary>
public sealed class EventDecoder
{
    private readonly RuntimeMetadata _metadata;
    private readonly ValueDecoder _values;
    private readonly StorageEntry _events;
    private readonly CompositeDef _record;
    private readonly VariantDef _runtimeEvent;

    public EventDecoder(RuntimeMetadata metadata, ValueDecoder? values = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        _metadata = metadata;
        _values = values ?? new ValueDecoder(metadata.Types);
        _events = metadata.Storage("System", "Events");
        var types = metadata.Types;
        if (types.Unwrap(_events.ValueType).Def is not SequenceDef sequence
            || types[sequence.Element].Def is not CompositeDef record
            || metadata.RuntimeEventType is not { } eventType
            || types[eventType].Def is not VariantDef runtimeEvent)
        {
            throw new ChainMetadataException("System.Events is not a Vec<EventRecord> of the runtime's event enum in this metadata");
        }

        _record = record;
        _runtimeEvent = runtimeEvent;
    }

    /// <summary>The storage entry whose value this decoder reads (for building its key).</summary>
    public StorageEntry Storage => _events;

    /// <summary>Decodes every record; throws <see cref="ScaleDecodeException"/> naming the record that failed.</summary>
    public IReadOnlyList<ChainEvent> Decode(byte[] storageValue)
    {
        ArgumentNullException.ThrowIfNull(storageValue);
        var reader = new ScaleReader(storageValue);
        var count = reader.ReadLength("Vec<EventRecord>");
        var records = new List<ChainEvent>(Math.Min(count, 65_536));
        for (var i = 0; i < count; i++)
        {
            records.Add(DecodeRecord(i, reader));
        }

        if (!reader.AtEnd)
        {
            throw new ScaleDecodeException("System.Events", reader.Position, $"{reader.Remaining} bytes left over after {count} records");
        }

        return records;
    }

    private ChainEvent DecodeRecord(int index, ScaleReader reader)
    {
        var phase = EventPhase.Initialization;
        string pallet = "", name = "";
        JsonNode fields = new JsonArray();
        IReadOnlyList<string> topics = [];
        byte[] raw = [];
        foreach (var field in _record.Fields)
        {
            switch (field.Name)
            {
                case "phase":
                    phase = ReadPhase(_values.Decode(field.Type, reader), index, reader.Position);
                    break;
                case "event":
                    var start = reader.Position;
                    (pallet, name, fields) = ReadEvent(index, reader);
                    raw = Slice(reader, start);
                    break;
                case "topics":
                    topics = _values.Decode(field.Type, reader) is JsonArray list
                        ? [.. list.Select(t => t!.GetValue<string>())]
                        : [];
                    break;
                default:
                    _values.Decode(field.Type, reader);
                    break;
            }
        }

        return new ChainEvent(index, phase, pallet, name, fields, topics, raw);

        static byte[] Slice(ScaleReader r, int from)
        {
            var end = r.Position;
            r.Position = from;
            var bytes = r.ReadBytes(end - from, "event").ToArray();
            return bytes;
        }
    }

    private (string Pallet, string Name, JsonNode Fields) ReadEvent(int index, ScaleReader reader)
    {
        var offset = reader.Position;
        var palletIndex = reader.ReadU8("RuntimeEvent");
        var palletVariant = _runtimeEvent.ByIndex(palletIndex)
            ?? throw new ScaleDecodeException($"event record {index}", offset, $"no pallet with event index {palletIndex} in this runtime");
        if (palletVariant.Fields.Count != 1)
        {
            throw new ScaleDecodeException($"event record {index}", offset, $"RuntimeEvent::{palletVariant.Name} does not wrap one pallet event");
        }

        var eventOffset = reader.Position;
        var eventType = _metadata.Types[palletVariant.Fields[0].Type];
        if (eventType.Def is not VariantDef events)
        {
            throw new ScaleDecodeException($"event record {index}", eventOffset, $"{palletVariant.Name}'s event type is not an enum");
        }

        var eventIndex = reader.ReadU8($"{palletVariant.Name} event");
        var variant = events.ByIndex(eventIndex)
            ?? throw new ScaleDecodeException($"event record {index}", eventOffset, $"{palletVariant.Name} has no event with index {eventIndex}");
        try
        {
            return (palletVariant.Name, variant.Name, _values.DecodeFields(variant.Fields, reader));
        }
        catch (ScaleDecodeException e)
        {
            throw new ScaleDecodeException($"event record {index} ({palletVariant.Name}.{variant.Name})", e.Offset, e.Reason);
        }
    }

    private static EventPhase ReadPhase(JsonNode? phase, int index, int offset) => phase switch
    {
        JsonValue v when v.GetValue<string>() == "Initialization" => EventPhase.Initialization,
        JsonValue v when v.GetValue<string>() == "Finalization" => EventPhase.Finalization,
        JsonObject o when o["ApplyExtrinsic"] is JsonValue n => new EventPhase("ApplyExtrinsic", checked((uint)n.GetValue<long>())),
        _ => throw new ScaleDecodeException($"event record {index}", offset, $"unknown phase {phase?.ToJsonString()}"),
    };
}
