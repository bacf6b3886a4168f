using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Projections.Tailing;

/// <summary>Reads stored event JSON for the projector, as Marten's System.Text.Json serializer configured by LedgerStore
/// does (PascalCase properties, enums as strings, the Domain's value-type converters, <see cref="SparseEntryJson"/>), with one difference: every SS58
/// key and account name is checked once per distinct value and then taken from a cache. The keys of a subnet repeat in
/// every epoch (an epoch_completed carries 2 per uid, its postings up to 4 per payout), and verifying an SS58 checksum
/// (base58 + BLAKE2b) each time was most of a rebuild's CPU. A test checks this reads every event type exactly as Marten
/// does.</summary>
public sealed class EventReader
{
    // Converters in JsonSerializerOptions take precedence over the [JsonConverter] attributes on the Domain's types.
    private readonly JsonSerializerOptions _options = new()
    {
        Converters =
        {
            new JsonStringEnumConverter(),
            new SparseEntryJson(),
            new CachedConverter<Hotkey>(s => Hotkey.TryParse(s, out var k, out var reason) ? k : throw new JsonException($"not a valid SS58 address: {reason}")),
            new CachedConverter<Coldkey>(s => Coldkey.TryParse(s, out var k, out var reason) ? k : throw new JsonException($"not a valid SS58 address: {reason}")),
            new CachedConverter<Account>(s => Account.TryParse(s, out var a) ? a : throw new JsonException("expected an account name such as \"tao:unissued\"")),
        },
    };

    /// <summary>An event from its stored JSON's UTF-8 bytes, as the projector reads them from the log.</summary>
    public ILedgerEvent Read(Type type, ReadOnlySpan<byte> utf8Json) => (ILedgerEvent)JsonSerializer.Deserialize(utf8Json, type, _options)!;

    /// <summary>Parses each distinct string once; bounded, so a ledger with millions of keys cannot grow it without limit.</summary>
    private sealed class CachedConverter<T>(Func<string, T> parse) : JsonConverter<T>
    {
        private const int Capacity = 1_000_000;
        private readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("expected a string");
            }

            var text = reader.GetString()!;
            if (_cache.TryGetValue(text, out var value))
            {
                return value;
            }

            value = parse(text);
            if (_cache.Count >= Capacity)
            {
                _cache.Clear();
            }

            _cache[text] = value;
            return value;
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value!.ToString());
    }
}
