using System.Numerics;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Chain.Scale;

/// <summary>
/// Decodes SCALE bytes of any registry type into JSON, in the shape <c>docs/chain.md</c> describes (and the fixture
/// README's "shape of a decoded event record"): integers as numbers, or decimal strings beyond ±2^53; AccountId32 as
/// SS58 (prefix 42); <c>Vec&lt;u8&gt;</c> and <c>[u8; N]</c> as <c>0x</c> hex; newtypes (one unnamed field) as their
/// inner value; composites as objects, or arrays when their fields are unnamed; <c>Option</c> as null or the value;
/// fieldless enum variants as their name and others as <c>{"Variant": value}</c>; bit sequences as arrays of booleans.
/// Every integer node holds a <see cref="long"/> (read it with <c>GetValue&lt;long&gt;()</c>) or, beyond ±2^53, a string.
/// </summary>
public sealed class ValueDecoder
{
    /// <summary>Deeper nesting than any real runtime type needs; a guard against recursive types fed hostile bytes.</summary>
    private const int MaxDepth = 256;

    private static readonly BigInteger MaxSafe = (BigInteger)1 << 53;

    private const int MaxCachedAddresses = 1 << 16;

    private readonly TypeRegistry _types;
    private readonly Shape?[] _shapes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<byte[], string> _addresses = new(KeyComparer.Instance);

    public ValueDecoder(TypeRegistry types)
    {
        ArgumentNullException.ThrowIfNull(types);
        _types = types;
        _shapes = new Shape?[types.All.Max(t => (int)t.Id) + 1];
    }

    public TypeRegistry Types => _types;

    /// <summary>Decodes one value of <paramref name="typeId"/> from the reader's position.</summary>
    public JsonNode? Decode(uint typeId, ScaleReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Decode(typeId, reader, 0);
    }

    /// <summary>Decodes a whole byte array as one value of <paramref name="typeId"/>; leftover bytes are an error.</summary>
    public JsonNode? DecodeAll(uint typeId, byte[] bytes, string what)
    {
        var reader = new ScaleReader(bytes);
        var value = Decode(typeId, reader, 0);
        if (!reader.AtEnd)
        {
            throw new ScaleDecodeException(what, reader.Position, $"{reader.Remaining} bytes left over after the value");
        }

        return value;
    }

    /// <summary>Decodes the fields of a composite or variant: an object when named, an array when not.</summary>
    public JsonNode DecodeFields(IReadOnlyList<FieldDef> fields, ScaleReader reader)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(reader);
        return DecodeFields(fields, reader, 0);
    }

    private JsonNode? Decode(uint typeId, ScaleReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ScaleDecodeException(_types[typeId].PathName, reader.Position, $"nested deeper than {MaxDepth} levels");
        }

        var type = _types[typeId];
        switch (ShapeOf(type))
        {
            case Shape.AccountId32:
                return Address(reader.ReadBytes(32, "AccountId32"));
            case Shape.Bytes:
                return Hex(type, reader);
            case Shape.Option:
                return reader.ReadOptionTag(type.PathName)
                    ? Decode(((VariantDef)type.Def).ByName("Some")!.Fields[0].Type, reader, depth + 1)
                    : null;
            case Shape.Newtype:
                return Decode(((CompositeDef)type.Def).Fields[0].Type, reader, depth + 1);
            default:
                break;
        }

        switch (type.Def)
        {
            case CompositeDef composite:
                return composite.Fields.Count == 0 ? null : DecodeFields(composite.Fields, reader, depth + 1);
            case VariantDef variant:
                return DecodeVariant(type, variant, reader, depth);
            case SequenceDef sequence:
                {
                    var count = reader.ReadLength(type.PathName.Length > 0 ? type.PathName : "Vec");
                    if (count > reader.Remaining && !IsZeroSized(sequence.Element))
                    {
                        throw new ScaleDecodeException("Vec", reader.Position, $"length {count} exceeds the {reader.Remaining} bytes left");
                    }

                    var array = new JsonArray();
                    for (var i = 0; i < count; i++)
                    {
                        array.Add(Decode(sequence.Element, reader, depth + 1));
                    }

                    return array;
                }

            case ArrayDef fixedArray:
                {
                    var array = new JsonArray();
                    for (var i = 0; i < fixedArray.Length; i++)
                    {
                        array.Add(Decode(fixedArray.Element, reader, depth + 1));
                    }

                    return array;
                }

            case TupleDef tuple:
                {
                    if (tuple.Elements.Count == 0)
                    {
                        return null;
                    }

                    var array = new JsonArray();
                    foreach (var element in tuple.Elements)
                    {
                        array.Add(Decode(element, reader, depth + 1));
                    }

                    return array;
                }

            case PrimitiveDef primitive:
                return DecodePrimitive(primitive.Kind, reader);
            case CompactDef:
                // Compacts of up to 8 bytes (all but the u128 tail) are read without a BigInteger.
                return reader.Remaining > 0 && ((reader.Peek() & 0b11) != 0b11 || (reader.Peek() >> 2) + 4 <= 8)
                    ? Number(reader.ReadCompactU64("Compact"))
                    : Number(reader.ReadCompact("Compact"));
            case BitSequenceDef bits:
                return DecodeBits(bits, reader);
            default:
                throw new ScaleDecodeException(type.PathName, reader.Position, "unknown type definition");
        }
    }

    private JsonNode DecodeFields(IReadOnlyList<FieldDef> fields, ScaleReader reader, int depth)
    {
        if (fields.Count > 0 && fields[0].Name is not null)
        {
            var obj = new JsonObject();
            foreach (var field in fields)
            {
                obj[field.Name!] = Decode(field.Type, reader, depth + 1);
            }

            return obj;
        }

        var array = new JsonArray();
        foreach (var field in fields)
        {
            array.Add(Decode(field.Type, reader, depth + 1));
        }

        return array;
    }

    private JsonNode DecodeVariant(RegistryType type, VariantDef def, ScaleReader reader, int depth)
    {
        var offset = reader.Position;
        var index = reader.ReadU8(type.PathName);
        var variant = def.ByIndex(index)
            ?? throw new ScaleDecodeException(type.PathName, offset, $"no variant with index {index}");
        if (variant.Fields.Count == 0)
        {
            return JsonValue.Create(variant.Name);
        }

        var value = variant.Fields.Count == 1 && variant.Fields[0].Name is null
            ? Decode(variant.Fields[0].Type, reader, depth + 1)
            : DecodeFields(variant.Fields, reader, depth + 1);
        return new JsonObject { [variant.Name] = value };
    }

    /// <summary>
    /// SS58 of a 32-byte account, remembered per decoder: base58 is most of the cost of decoding events and metagraphs,
    /// and the same accounts recur across a block's records.
    /// </summary>
    private string Address(ReadOnlySpan<byte> key)
    {
        var lookup = _addresses.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(key, out var known))
        {
            return known;
        }

        var address = Ss58.Encode(key);
        if (_addresses.Count < MaxCachedAddresses)
        {
            _addresses[key.ToArray()] = address;
        }

        return address;
    }

    private JsonValue Hex(RegistryType type, ScaleReader reader)
    {
        var inner = _types.Unwrap(type.Id);
        var count = inner.Def switch
        {
            ArrayDef array => checked((int)array.Length),
            _ => reader.ReadLength("Vec<u8>"),
        };
        return JsonValue.Create("0x" + Convert.ToHexStringLower(reader.ReadBytes(count, "bytes")));
    }

    private static JsonValue DecodePrimitive(Primitive kind, ScaleReader reader) => kind switch
    {
        Primitive.Bool => JsonValue.Create(reader.ReadBool()),
        Primitive.Char => JsonValue.Create(char.ConvertFromUtf32(checked((int)reader.ReadU32("char")))),
        Primitive.Str => JsonValue.Create(reader.ReadString("str")),
        Primitive.U8 => JsonValue.Create((long)reader.ReadU8()),
        Primitive.U16 => JsonValue.Create((long)reader.ReadU16()),
        Primitive.U32 => JsonValue.Create((long)reader.ReadU32()),
        Primitive.U64 => Number(reader.ReadU64()),
        Primitive.U128 => Number(reader.ReadUnsigned(16, "u128")),
        Primitive.U256 => Number(reader.ReadUnsigned(32, "u256")),
        Primitive.I8 => JsonValue.Create((long)reader.ReadI8()),
        Primitive.I16 => JsonValue.Create((long)reader.ReadI16()),
        Primitive.I32 => JsonValue.Create((long)reader.ReadI32()),
        Primitive.I64 => Number(reader.ReadI64()),
        Primitive.I128 => Number(reader.ReadSigned(16, "i128")),
        Primitive.I256 => Number(reader.ReadSigned(32, "i256")),
        _ => throw new ScaleDecodeException("primitive", reader.Position, $"unknown primitive {kind}"),
    };

    private JsonArray DecodeBits(BitSequenceDef bits, ScaleReader reader)
    {
        var storeBytes = _types.Unwrap(bits.StoreType).Def switch
        {
            PrimitiveDef { Kind: Primitive.U8 } => 1,
            PrimitiveDef { Kind: Primitive.U16 } => 2,
            PrimitiveDef { Kind: Primitive.U32 } => 4,
            PrimitiveDef { Kind: Primitive.U64 } => 8,
            _ => throw new ScaleDecodeException("BitVec", reader.Position, "bit store type is not u8, u16, u32 or u64"),
        };
        var msb = _types[bits.OrderType].Name == "Msb0";
        var count = reader.ReadLength("BitVec length");
        var storeBits = storeBytes * 8;
        var words = (count + storeBits - 1) / storeBits;
        var data = reader.ReadBytes(checked(words * storeBytes), "BitVec");
        var array = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var word = i / storeBits;
            var bit = i % storeBits;
            // Each store word is little-endian; Lsb0 counts from the word's least significant bit.
            var position = msb ? storeBits - 1 - bit : bit;
            var b = data[(word * storeBytes) + (position / 8)];
            array.Add(JsonValue.Create(((b >> (position % 8)) & 1) == 1));
        }

        return array;
    }

    private static JsonValue Number(ulong value) =>
        value <= (ulong)MaxSafe ? JsonValue.Create((long)value) : JsonValue.Create(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static JsonValue Number(long value) =>
        Math.Abs((double)value) <= (double)MaxSafe ? JsonValue.Create(value) : JsonValue.Create(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static JsonValue Number(BigInteger value) =>
        BigInteger.Abs(value) <= MaxSafe
            ? JsonValue.Create((long)value)
            : JsonValue.Create(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private bool IsZeroSized(uint typeId) => _types[typeId].Def switch
    {
        TupleDef { Elements.Count: 0 } => true,
        CompositeDef { Fields.Count: 0 } => true,
        _ => false,
    };

    private Shape ShapeOf(RegistryType type)
    {
        if (_shapes[type.Id] is { } known)
        {
            return known;
        }

        var shape = Classify(type);
        _shapes[type.Id] = shape;
        return shape;
    }

    private Shape Classify(RegistryType type)
    {
        if (type.Name == "AccountId32" && _types.Unwrap(type.Id).Def is ArrayDef { Length: 32 } account
            && _types.IsByte(account.Element))
        {
            return Shape.AccountId32;
        }

        var inner = _types.Unwrap(type.Id).Def;
        if (inner is ArrayDef array && _types.IsByte(array.Element) || inner is SequenceDef sequence && _types.IsByte(sequence.Element))
        {
            return Shape.Bytes;
        }

        if (type.PathName == "Option" && type.Def is VariantDef option && option.ByName("Some") is { Fields.Count: 1 }
            && option.ByName("None") is not null)
        {
            return Shape.Option;
        }

        return type.Def is CompositeDef { Fields.Count: 1 } composite && composite.Fields[0].Name is null
            ? Shape.Newtype
            : Shape.Plain;
    }

    private enum Shape : byte
    {
        Plain,
        AccountId32,
        Bytes,
        Option,
        Newtype,
    }

    /// <summary>Compares 32-byte keys by content, also as spans, so a cached address is found without copying the key.</summary>
    private sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
