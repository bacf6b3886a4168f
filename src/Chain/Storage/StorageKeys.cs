using System.Text;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;

namespace Bittensor.Ledger.Chain.Storage;

/// <summary>
/// Storage keys built from pallet and item names with the hashers the metadata declares:
/// <c>twox128(pallet prefix) ‖ twox128(item) ‖ hasher₁(key₁) ‖ hasher₂(key₂) …</c>; and the way back for the
/// "Concat" hashers, whose keys can be read out of a key the node returns.
/// </summary>
public sealed class StorageKeys
{
    private readonly RuntimeMetadata _metadata;
    private readonly ValueDecoder _values;

    public StorageKeys(RuntimeMetadata metadata, ValueDecoder? values = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        _metadata = metadata;
        _values = values ?? new ValueDecoder(metadata.Types);
    }

    /// <summary>The registry types of the key parts, one per hasher (empty for a plain value).</summary>
    public IReadOnlyList<uint> KeyPartTypes(StorageEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.KeyType is not { } keyType)
        {
            return [];
        }

        if (entry.Hashers.Count == 1)
        {
            return [keyType];
        }

        return _metadata.Types[keyType].Def is TupleDef tuple && tuple.Elements.Count == entry.Hashers.Count
            ? tuple.Elements
            : throw new ChainMetadataException($"{entry.Pallet}.{entry.Name} has {entry.Hashers.Count} hashers but its key is not a tuple of as many parts");
    }

    /// <summary><c>twox128(pallet prefix) ‖ twox128(item)</c>: the prefix every key of the item starts with.</summary>
    public byte[] Prefix(StorageEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var pallet = _metadata.FindPallet(entry.Pallet)?.StoragePrefix ?? entry.Pallet;
        return [.. StorageHashing.Twox128(Encoding.UTF8.GetBytes(pallet)), .. StorageHashing.Twox128(Encoding.UTF8.GetBytes(entry.Name))];
    }

    /// <summary>
    /// The key of <paramref name="entry"/> at these SCALE-encoded key parts. Fewer parts than hashers give a prefix for
    /// iterating the rest of the map (<c>state_getKeysPaged</c>).
    /// </summary>
    public byte[] Key(StorageEntry entry, params IReadOnlyList<byte[]> encodedParts)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(encodedParts);
        if (encodedParts.Count > entry.Hashers.Count)
        {
            throw new ArgumentException(
                $"{entry.Pallet}.{entry.Name} takes {entry.Hashers.Count} key parts, not {encodedParts.Count}", nameof(encodedParts));
        }

        var key = new List<byte>(Prefix(entry));
        for (var i = 0; i < encodedParts.Count; i++)
        {
            key.AddRange(StorageHashing.Hash(entry.Hashers[i], encodedParts[i]));
        }

        return [.. key];
    }

    /// <summary>The key at key parts written as text (SS58 addresses, integers, hex), each encoded by its registry type.</summary>
    public byte[] KeyFromText(StorageEntry entry, IReadOnlyList<string> parts)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(parts);
        var types = KeyPartTypes(entry);
        if (parts.Count > types.Count)
        {
            throw new FormatException($"{entry.Pallet}.{entry.Name} takes {types.Count} key(s), {parts.Count} were given");
        }

        var encoded = new List<byte[]>();
        for (var i = 0; i < parts.Count; i++)
        {
            try
            {
                encoded.Add(KeyEncoder.Encode(_metadata.Types, types[i], parts[i]));
            }
            catch (FormatException e)
            {
                throw new FormatException($"key {i + 1} of {entry.Pallet}.{entry.Name}: {e.Message}", e);
            }
        }

        return Key(entry, encoded);
    }

    /// <summary>
    /// The key parts a full key holds, decoded: a value for each "Concat"/Identity hasher, null for the opaque ones.
    /// </summary>
    public IReadOnlyList<JsonNode?> DecodeKey(StorageEntry entry, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(key);
        var prefix = Prefix(entry);
        if (key.Length < prefix.Length || !key.AsSpan(0, prefix.Length).SequenceEqual(prefix))
        {
            throw new ScaleDecodeException($"{entry.Pallet}.{entry.Name} key", 0, "the key does not start with this item's prefix");
        }

        var reader = new ScaleReader(key) { Position = prefix.Length };
        var types = KeyPartTypes(entry);
        var parts = new List<JsonNode?>(types.Count);
        for (var i = 0; i < types.Count; i++)
        {
            var (hashBytes, keyFollows) = StorageHashing.Layout(entry.Hashers[i]);
            reader.ReadBytes(hashBytes, $"key {i + 1} hash");
            parts.Add(keyFollows ? _values.Decode(types[i], reader) : null);
        }

        return parts;
    }

    /// <summary>
    /// Decodes a storage value; an absent value (<paramref name="value"/> null) is the metadata default under a
    /// ValueQuery and JSON null under an OptionQuery.
    /// </summary>
    public JsonNode? DecodeValue(StorageEntry entry, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (value is null)
        {
            return entry.IsOptional ? null : _values.DecodeAll(entry.ValueType, entry.Default, $"{entry.Pallet}.{entry.Name} default");
        }

        return _values.DecodeAll(entry.ValueType, value, $"{entry.Pallet}.{entry.Name}");
    }
}
