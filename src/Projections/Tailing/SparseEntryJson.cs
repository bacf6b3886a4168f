using System.Text.Json;
using System.Text.Json.Serialization;
using Bittensor.Ledger.Domain;

namespace Bittensor.Ledger.Projections.Tailing;

/// <summary>How the event store writes a <see cref="SparseEntry"/>: <c>[uid, value]</c> rather than
/// <c>{"Uid": uid, "Value": value}</c>. An epoch's bonds are up to 256 × 256 entries, and the object form made them
/// three quarters of an <c>epoch_completed</c>'s bytes (docs/adr/0013-event-compression.md). The store's serializer
/// (LedgerStore) and the projector's (<see cref="EventReader"/>) use it, nothing else; it reads both forms, so events
/// stored before keep reading back as they were.</summary>
public sealed class SparseEntryJson : JsonConverter<SparseEntry>
{
    public override SparseEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var uid = Next(ref reader, "uid");
            var value = Next(ref reader, "value");
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                throw new JsonException("a sparse entry is [uid, value]: more than two values");
            }

            return new SparseEntry(uid, value);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"a sparse entry is [uid, value] or {{\"Uid\": uid, \"Value\": value}}, not {reader.TokenType}");
        }

        ushort u = 0, v = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            switch (name)
            {
                case nameof(SparseEntry.Uid):
                    u = Next(ref reader, "Uid");
                    break;
                case nameof(SparseEntry.Value):
                    v = Next(ref reader, "Value");
                    break;
                default:
                    reader.Read();
                    reader.Skip();
                    break;
            }
        }

        return new SparseEntry(u, v);
    }

    private static ushort Next(ref Utf8JsonReader reader, string what) =>
        reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var n)
            ? n
            : throw new JsonException($"a sparse entry's {what} must be an integer 0..65535");

    public override void Write(Utf8JsonWriter writer, SparseEntry value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Uid);
        writer.WriteNumberValue(value.Value);
        writer.WriteEndArray();
    }
}
