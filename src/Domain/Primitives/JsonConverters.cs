using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bittensor.Ledger.Domain.Primitives;

// Value types serialize as bare JSON values (numbers for amounts and ids, SS58 strings for keys), so that the
// event store, the NDJSON interchange format and CLI output all read the same. Amounts also accept decimal strings
// on read, as the interchange format allows; they are always written as numbers (ulong, exact beyond 2^53).

internal static class JsonUnsigned
{
    public static ulong ReadUInt64(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var n))
        {
            return n;
        }

        if (reader.TokenType == JsonTokenType.String &&
            ulong.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
        {
            return s;
        }

        throw new JsonException("expected an unsigned 64-bit integer (a JSON integer or a decimal string)");
    }

    public static ushort ReadUInt16(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var n))
        {
            return n;
        }

        throw new JsonException("expected an integer 0..65535");
    }
}

public sealed class RaoJsonConverter : JsonConverter<Rao>
{
    public override Rao Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(JsonUnsigned.ReadUInt64(ref reader));

    public override void Write(Utf8JsonWriter writer, Rao value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

public sealed class BlockJsonConverter : JsonConverter<Block>
{
    public override Block Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(JsonUnsigned.ReadUInt64(ref reader));

    public override void Write(Utf8JsonWriter writer, Block value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

public sealed class NetUidJsonConverter : JsonConverter<NetUid>
{
    public override NetUid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(JsonUnsigned.ReadUInt16(ref reader));

    public override void Write(Utf8JsonWriter writer, NetUid value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

public sealed class UidJsonConverter : JsonConverter<Uid>
{
    public override Uid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(JsonUnsigned.ReadUInt16(ref reader));

    public override void Write(Utf8JsonWriter writer, Uid value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

public sealed class HotkeyJsonConverter : JsonConverter<Hotkey>
{
    public override Hotkey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected an SS58 address string");
        }

        return Hotkey.TryParse(reader.GetString(), out var key, out var reason) ? key : throw new JsonException($"not a valid SS58 address: {reason}");
    }

    public override void Write(Utf8JsonWriter writer, Hotkey value, JsonSerializerOptions options) => writer.WriteStringValue(value.Address);
}

public sealed class ColdkeyJsonConverter : JsonConverter<Coldkey>
{
    public override Coldkey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected an SS58 address string");
        }

        return Coldkey.TryParse(reader.GetString(), out var key, out var reason) ? key : throw new JsonException($"not a valid SS58 address: {reason}");
    }

    public override void Write(Utf8JsonWriter writer, Coldkey value, JsonSerializerOptions options) => writer.WriteStringValue(value.Address);
}
