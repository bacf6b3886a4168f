using Bittensor.Ledger.Chain.Scale;

namespace Bittensor.Ledger.Chain.Metadata;

/// <summary>How a storage map hashes each part of its key (<c>frame_metadata::StorageHasher</c>, in encoded order).</summary>
public enum StorageHasher : byte
{
    Blake2_128,
    Blake2_256,
    Blake2_128Concat,
    Twox128,
    Twox256,
    Twox64Concat,
    Identity,
}

/// <summary>
/// One storage item. <see cref="KeyType"/> is null for a plain value; for a map with several hashers it is a tuple
/// whose elements are the key parts. <see cref="Default"/> is what the chain returns when a key is absent under a
/// ValueQuery (<see cref="IsOptional"/> false); an OptionQuery item is simply absent.
/// </summary>
public sealed record StorageEntry(
    string Pallet,
    string Name,
    bool IsOptional,
    IReadOnlyList<StorageHasher> Hashers,
    uint? KeyType,
    uint ValueType,
    byte[] Default,
    IReadOnlyList<string> Docs);

public sealed record ConstantEntry(string Name, uint Type, byte[] Value);

public sealed record PalletMetadata(
    string Name,
    byte Index,
    string? StoragePrefix,
    IReadOnlyList<StorageEntry> Storage,
    uint? CallType,
    uint? EventType,
    uint? ErrorType,
    IReadOnlyList<ConstantEntry> Constants)
{
    public StorageEntry? FindStorage(string item) => Storage.FirstOrDefault(e => e.Name == item);
}

public sealed record RuntimeApiParameter(string Name, uint Type);

/// <summary>A runtime API method (V15 only), called as <c>state_call("{Api}_{Method}", args)</c>.</summary>
public sealed record RuntimeApiMethod(string Api, string Method, IReadOnlyList<RuntimeApiParameter> Inputs, uint Output)
{
    public string CallName => $"{Api}_{Method}";
}

/// <summary>
/// A runtime's metadata (V14 or V15), parsed from the bytes <c>state_getMetadata</c> returns (<c>meta</c> magic, version
/// byte, body) or from <c>Metadata_metadata_at_version</c>'s <c>Option&lt;OpaqueMetadata&gt;</c> wrapping the same.
/// </summary>
public sealed class RuntimeMetadata
{
    private const uint Magic = 0x6174656d; // "meta", little-endian

    private readonly Dictionary<string, PalletMetadata> _pallets;

    private RuntimeMetadata(
        int version,
        TypeRegistry types,
        IReadOnlyList<PalletMetadata> pallets,
        uint? runtimeEventType,
        IReadOnlyList<RuntimeApiMethod> apis)
    {
        Version = version;
        Types = types;
        Pallets = pallets;
        RuntimeEventType = runtimeEventType;
        Apis = apis;
        _pallets = pallets.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>14 or 15.</summary>
    public int Version { get; }

    public TypeRegistry Types { get; }

    public IReadOnlyList<PalletMetadata> Pallets { get; }

    /// <summary>The outer <c>RuntimeEvent</c> enum (from V15's outer enums, or found through System.Events in V14).</summary>
    public uint? RuntimeEventType { get; }

    /// <summary>Runtime API methods; empty for V14, which does not describe them.</summary>
    public IReadOnlyList<RuntimeApiMethod> Apis { get; }

    public PalletMetadata? FindPallet(string name) => _pallets.GetValueOrDefault(name);

    /// <summary>
    /// The spec version the metadata itself declares (the <c>System.Version</c> constant's <c>spec_version</c>), so
    /// metadata fetched for a block can be checked against the runtime version the node reported; null when absent.
    /// </summary>
    public uint? DeclaredSpecVersion()
    {
        var constant = FindPallet("System")?.Constants.FirstOrDefault(c => c.Name == "Version");
        if (constant is null || Types.Unwrap(constant.Type).Def is not CompositeDef version)
        {
            return null;
        }

        var reader = new ScaleReader(constant.Value);
        var values = new ValueDecoder(Types);
        foreach (var field in version.Fields)
        {
            var value = values.Decode(field.Type, reader);
            if (field.Name == "spec_version")
            {
                return value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<long>(out var spec) ? (uint)spec : null;
            }
        }

        return null;
    }

    /// <summary>The storage item, or an <see cref="UnknownStorageException"/> naming what this runtime does have.</summary>
    public StorageEntry Storage(string pallet, string item)
    {
        var p = FindPallet(pallet)
            ?? throw new UnknownStorageException($"pallet '{pallet}' is not in this runtime's metadata");
        return p.FindStorage(item)
            ?? throw new UnknownStorageException(
                $"storage item '{pallet}.{item}' is not in this runtime's metadata ({p.Storage.Count} items in {pallet})");
    }

    public RuntimeApiMethod? FindApi(string callName) => Apis.FirstOrDefault(m => m.CallName == callName);

    /// <summary>Parses metadata bytes; throws <see cref="ChainMetadataException"/> for anything but V14/V15.</summary>
    public static RuntimeMetadata Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var reader = new ScaleReader(bytes);
        if (bytes.Length >= 1 && bytes[0] == 1 && !StartsWithMagic(bytes, 0))
        {
            // Metadata_metadata_at_version: Option<OpaqueMetadata>, OpaqueMetadata being a Vec<u8>.
            reader.ReadU8("Option<OpaqueMetadata>");
            var inner = reader.ReadByteVec("OpaqueMetadata");
            reader = new ScaleReader(inner);
        }
        else if (bytes.Length >= 1 && bytes[0] == 0 && bytes.Length == 1)
        {
            throw new ChainMetadataException("the runtime has no metadata at the requested version (None)");
        }

        if (reader.Remaining < 5 || reader.ReadU32("magic") != Magic)
        {
            throw new ChainMetadataException("not runtime metadata: it does not start with the 'meta' magic");
        }

        var version = reader.ReadU8("metadata version");
        if (version is not (14 or 15))
        {
            throw new ChainMetadataException(
                $"metadata version {version} is not supported (V14 and V15 are); ask the node for V15 with Metadata_metadata_at_version");
        }

        var types = new TypeRegistry(reader.ReadVec(ReadPortableType, "types"));
        var pallets = reader.ReadVec(r => ReadPallet(r, version), "pallets");
        uint? runtimeEvent = null;
        IReadOnlyList<RuntimeApiMethod> apis = [];
        if (version == 14)
        {
            SkipExtrinsicV14(reader);
            reader.ReadCompactU32("runtime type");
        }
        else
        {
            SkipExtrinsicV15(reader);
            reader.ReadCompactU32("runtime type");
            apis = [.. reader.ReadVec(ReadApi, "apis").SelectMany(m => m)];
            reader.ReadCompactU32("call enum");
            runtimeEvent = reader.ReadCompactU32("event enum");
            reader.ReadCompactU32("error enum");
            reader.ReadVec(r =>
            {
                r.ReadString("custom key");
                r.ReadCompactU32("custom type");
                return r.ReadByteVec("custom value");
            }, "custom");
        }

        runtimeEvent ??= FindRuntimeEvent(types, pallets);
        return new RuntimeMetadata(version, types, pallets, runtimeEvent, apis);
    }

    private static bool StartsWithMagic(byte[] bytes, int offset) =>
        bytes.Length >= offset + 4 && bytes[offset] == (byte)'m' && bytes[offset + 1] == (byte)'e'
        && bytes[offset + 2] == (byte)'t' && bytes[offset + 3] == (byte)'a';

    private static RegistryType ReadPortableType(ScaleReader r)
    {
        var id = r.ReadCompactU32("type id");
        var path = r.ReadVec(x => x.ReadString("path segment"), "path");
        var parameters = r.ReadVec(x => new TypeParameter(x.ReadString("type parameter"), x.ReadOptionValue(y => y.ReadCompactU32("type"))), "type parameters");
        var def = ReadTypeDef(r);
        r.ReadVec(x => x.ReadString("docs"), "docs");
        return new RegistryType(id, path, parameters, def);
    }

    private static TypeDef ReadTypeDef(ScaleReader r)
    {
        var offset = r.Position;
        var tag = r.ReadU8("TypeDef");
        return tag switch
        {
            0 => new CompositeDef(r.ReadVec(ReadField, "fields")),
            1 => new VariantDef(r.ReadVec(ReadVariant, "variants")),
            2 => new SequenceDef(r.ReadCompactU32("sequence element")),
            3 => ReadArray(r),
            4 => new TupleDef(r.ReadVec(x => x.ReadCompactU32("tuple element"), "tuple")),
            5 => ReadPrimitive(r),
            6 => new CompactDef(r.ReadCompactU32("compact inner")),
            7 => new BitSequenceDef(r.ReadCompactU32("bit store"), r.ReadCompactU32("bit order")),
            _ => throw new ScaleDecodeException("TypeDef", offset, $"unknown type definition tag {tag}"),
        };
    }

    private static ArrayDef ReadArray(ScaleReader r)
    {
        var length = r.ReadU32("array length");
        return new ArrayDef(length, r.ReadCompactU32("array element"));
    }

    private static PrimitiveDef ReadPrimitive(ScaleReader r)
    {
        var offset = r.Position;
        var kind = r.ReadU8("primitive");
        return kind <= (byte)Primitive.I256
            ? new PrimitiveDef((Primitive)kind)
            : throw new ScaleDecodeException("primitive", offset, $"unknown primitive {kind}");
    }

    private static FieldDef ReadField(ScaleReader r)
    {
        var name = r.ReadOption(x => x.ReadString("field name"));
        var type = r.ReadCompactU32("field type");
        var typeName = r.ReadOption(x => x.ReadString("field type name"));
        r.ReadVec(x => x.ReadString("docs"), "docs");
        return new FieldDef(name, type, typeName);
    }

    private static VariantCase ReadVariant(ScaleReader r)
    {
        var name = r.ReadString("variant name");
        var fields = r.ReadVec(ReadField, "variant fields");
        var index = r.ReadU8("variant index");
        r.ReadVec(x => x.ReadString("docs"), "docs");
        return new VariantCase(name, index, fields);
    }

    private static PalletMetadata ReadPallet(ScaleReader r, int version)
    {
        var name = r.ReadString("pallet name");
        string? prefix = null;
        List<StorageEntry> storage = [];
        if (r.ReadOptionTag("pallet storage"))
        {
            prefix = r.ReadString("storage prefix");
            storage = r.ReadVec(x => ReadStorageEntry(x, name), "storage entries");
        }

        var call = r.ReadOptionValue(x => x.ReadCompactU32("call type"));
        var @event = r.ReadOptionValue(x => x.ReadCompactU32("event type"));
        var constants = r.ReadVec(
            x => new ConstantEntry(x.ReadString("constant name"), x.ReadCompactU32("constant type"), ReadValueAndDocs(x)),
            "constants");
        var error = r.ReadOptionValue(x => x.ReadCompactU32("error type"));
        var index = r.ReadU8("pallet index");
        if (version >= 15)
        {
            r.ReadVec(x => x.ReadString("docs"), "pallet docs");
        }

        return new PalletMetadata(name, index, prefix, storage, call, @event, error, constants);
    }

    private static byte[] ReadValueAndDocs(ScaleReader r)
    {
        var value = r.ReadByteVec("constant value");
        r.ReadVec(x => x.ReadString("docs"), "docs");
        return value;
    }

    private static StorageEntry ReadStorageEntry(ScaleReader r, string pallet)
    {
        var name = r.ReadString("storage name");
        var modifier = r.ReadU8("storage modifier");
        var offset = r.Position;
        var kind = r.ReadU8("storage entry type");
        List<StorageHasher> hashers = [];
        uint? keyType = null;
        uint valueType;
        switch (kind)
        {
            case 0:
                valueType = r.ReadCompactU32("plain value type");
                break;
            case 1:
                hashers = r.ReadVec(ReadHasher, "hashers");
                keyType = r.ReadCompactU32("map key type");
                valueType = r.ReadCompactU32("map value type");
                break;
            default:
                throw new ScaleDecodeException("storage entry type", offset, $"unknown storage entry type {kind}");
        }

        var @default = r.ReadByteVec("storage default");
        var docs = r.ReadVec(x => x.ReadString("docs"), "docs");
        return new StorageEntry(pallet, name, modifier == 0, hashers, keyType, valueType, @default, docs);
    }

    private static StorageHasher ReadHasher(ScaleReader r)
    {
        var offset = r.Position;
        var hasher = r.ReadU8("hasher");
        return hasher <= (byte)StorageHasher.Identity
            ? (StorageHasher)hasher
            : throw new ScaleDecodeException("hasher", offset, $"unknown storage hasher {hasher}");
    }

    private static void SkipExtrinsicV14(ScaleReader r)
    {
        r.ReadCompactU32("extrinsic type");
        r.ReadU8("extrinsic version");
        SkipSignedExtensions(r);
    }

    private static void SkipExtrinsicV15(ScaleReader r)
    {
        r.ReadU8("extrinsic version");
        r.ReadCompactU32("address type");
        r.ReadCompactU32("call type");
        r.ReadCompactU32("signature type");
        r.ReadCompactU32("extra type");
        SkipSignedExtensions(r);
    }

    private static void SkipSignedExtensions(ScaleReader r) =>
        r.ReadVec(x =>
        {
            x.ReadString("signed extension");
            x.ReadCompactU32("extension type");
            return x.ReadCompactU32("additional signed type");
        }, "signed extensions");

    private static List<RuntimeApiMethod> ReadApi(ScaleReader r)
    {
        var api = r.ReadString("api name");
        var methods = r.ReadVec(x =>
        {
            var method = x.ReadString("api method");
            var inputs = x.ReadVec(y => new RuntimeApiParameter(y.ReadString("parameter"), y.ReadCompactU32("parameter type")), "inputs");
            var output = x.ReadCompactU32("output type");
            x.ReadVec(y => y.ReadString("docs"), "docs");
            return new RuntimeApiMethod(api, method, inputs, output);
        }, "methods");
        r.ReadVec(x => x.ReadString("docs"), "api docs");
        return methods;
    }

    private static uint? FindRuntimeEvent(TypeRegistry types, IReadOnlyList<PalletMetadata> pallets)
    {
        // V14 has no outer enums: System.Events is Vec<EventRecord<RuntimeEvent, Hash>>.
        var events = pallets.FirstOrDefault(p => p.Name == "System")?.FindStorage("Events");
        if (events is null || types.Unwrap(events.ValueType).Def is not SequenceDef sequence
            || types[sequence.Element].Def is not CompositeDef record)
        {
            return null;
        }

        return record.Fields.FirstOrDefault(f => f.Name == "event")?.Type;
    }
}

/// <summary>Metadata that cannot be used: an unsupported version, or none of the block's spec to be had.</summary>
public sealed class ChainMetadataException(string message) : Exception(message);

/// <summary>A pallet or storage item the runtime does not have (a name the caller gave, usually).</summary>
public sealed class UnknownStorageException(string message) : Exception(message);
