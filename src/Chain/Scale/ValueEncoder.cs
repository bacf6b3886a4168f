using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;

namespace Bittensor.Ledger.Chain.Scale;

/// <summary>
/// The inverse of <see cref="ValueDecoder"/>: SCALE-encodes a JSON value of the decoder's shape as a registry type.
/// Used to build test chains with a real runtime's types and to check the decoder round-trips.
/// </summary>
public sealed class ValueEncoder(TypeRegistry types)
{
    private readonly TypeRegistry _types = types ?? throw new ArgumentNullException(nameof(types));

    public byte[] Encode(uint typeId, JsonNode? value)
    {
        var output = new List<byte>();
        Write(typeId, value, output, "value");
        return [.. output];
    }

    private void Write(uint typeId, JsonNode? value, List<byte> output, string path)
    {
        var type = _types[typeId];
        var inner = _types.Unwrap(typeId);

        if (type.Name == "AccountId32" && inner.Def is ArrayDef { Length: 32 })
        {
            output.AddRange(KeyEncoder.Account(Text(value, path)));
            return;
        }

        if (inner.Def is ArrayDef array && _types.IsByte(array.Element) || inner.Def is SequenceDef sequence && _types.IsByte(sequence.Element))
        {
            var bytes = Convert.FromHexString(Text(value, path).AsSpan(2));
            if (inner.Def is SequenceDef)
            {
                output.AddRange(KeyEncoder.Compact(bytes.Length));
            }
            else if (bytes.Length != ((ArrayDef)inner.Def).Length)
            {
                throw new FormatException($"{path}: {bytes.Length} bytes where {((ArrayDef)inner.Def).Length} are needed");
            }

            output.AddRange(bytes);
            return;
        }

        switch (type.Def)
        {
            case VariantDef option when type.PathName == "Option" && option.ByName("Some") is { Fields.Count: 1 } some:
                if (value is null)
                {
                    output.Add(0);
                }
                else
                {
                    output.Add(some.Index);
                    Write(some.Fields[0].Type, value, output, path);
                }

                return;
            case CompositeDef { Fields.Count: 1 } newtype when newtype.Fields[0].Name is null:
                Write(newtype.Fields[0].Type, value, output, path);
                return;
            case CompositeDef composite:
                WriteFields(composite.Fields, value, output, path);
                return;
            case VariantDef variant:
                WriteVariant(type, variant, value, output, path);
                return;
            case SequenceDef seq:
                {
                    var items = Array(value, path);
                    output.AddRange(KeyEncoder.Compact(items.Count));
                    for (var i = 0; i < items.Count; i++)
                    {
                        Write(seq.Element, items[i], output, $"{path}[{i}]");
                    }

                    return;
                }

            case ArrayDef fixedArray:
                {
                    var items = Array(value, path);
                    if (items.Count != fixedArray.Length)
                    {
                        throw new FormatException($"{path}: {items.Count} elements where {fixedArray.Length} are needed");
                    }

                    for (var i = 0; i < items.Count; i++)
                    {
                        Write(fixedArray.Element, items[i], output, $"{path}[{i}]");
                    }

                    return;
                }

            case TupleDef { Elements.Count: 0 }:
                return;
            case TupleDef tuple:
                {
                    var items = Array(value, path);
                    for (var i = 0; i < tuple.Elements.Count; i++)
                    {
                        Write(tuple.Elements[i], items[i], output, $"{path}[{i}]");
                    }

                    return;
                }

            case PrimitiveDef primitive:
                WritePrimitive(primitive.Kind, value, output, path);
                return;
            case CompactDef:
                output.AddRange(KeyEncoder.Compact(Integer(value, path)));
                return;
            case BitSequenceDef bits:
                WriteBits(bits, Array(value, path), output, path);
                return;
            default:
                throw new FormatException($"{path}: cannot encode {type.PathName}");
        }
    }

    private void WriteFields(IReadOnlyList<FieldDef> fields, JsonNode? value, List<byte> output, string path)
    {
        if (fields.Count == 0)
        {
            return;
        }

        if (fields[0].Name is not null)
        {
            var obj = value as JsonObject ?? throw new FormatException($"{path}: an object is needed");
            foreach (var field in fields)
            {
                Write(field.Type, obj[field.Name!], output, $"{path}.{field.Name}");
            }

            return;
        }

        var items = Array(value, path);
        for (var i = 0; i < fields.Count; i++)
        {
            Write(fields[i].Type, items[i], output, $"{path}[{i}]");
        }
    }

    private void WriteVariant(RegistryType type, VariantDef def, JsonNode? value, List<byte> output, string path)
    {
        string name;
        JsonNode? body = null;
        if (value is JsonObject { Count: 1 } obj)
        {
            (name, body) = (obj.First().Key, obj.First().Value);
        }
        else
        {
            name = Text(value, path);
        }

        var variant = def.ByName(name) ?? throw new FormatException($"{path}: {type.PathName} has no variant {name}");
        output.Add(variant.Index);
        if (variant.Fields.Count == 1 && variant.Fields[0].Name is null)
        {
            Write(variant.Fields[0].Type, body, output, $"{path}.{name}");
        }
        else
        {
            WriteFields(variant.Fields, body, output, $"{path}.{name}");
        }
    }

    private static void WritePrimitive(Primitive kind, JsonNode? value, List<byte> output, string path)
    {
        switch (kind)
        {
            case Primitive.Bool:
                output.Add(value is JsonValue b && b.TryGetValue<bool>(out var flag) ? (byte)(flag ? 1 : 0) : throw new FormatException($"{path}: a bool is needed"));
                return;
            case Primitive.Str:
                {
                    var utf8 = System.Text.Encoding.UTF8.GetBytes(Text(value, path));
                    output.AddRange(KeyEncoder.Compact(utf8.Length));
                    output.AddRange(utf8);
                    return;
                }

            case Primitive.Char:
                {
                    var bytes = new byte[4];
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes, char.ConvertToUtf32(Text(value, path), 0));
                    output.AddRange(bytes);
                    return;
                }

            default:
                var number = Integer(value, path);
                try
                {
                    output.AddRange(KeyEncoder.Integer(kind, number));
                }
                catch (FormatException e)
                {
                    throw new FormatException($"{path}: {e.Message}", e);
                }

                return;
        }
    }

    private void WriteBits(BitSequenceDef bits, JsonArray items, List<byte> output, string path)
    {
        var storeBytes = _types.Unwrap(bits.StoreType).Def switch
        {
            PrimitiveDef { Kind: Primitive.U8 } => 1,
            PrimitiveDef { Kind: Primitive.U16 } => 2,
            PrimitiveDef { Kind: Primitive.U32 } => 4,
            _ => 8,
        };
        var msb = _types[bits.OrderType].Name == "Msb0";
        var storeBits = storeBytes * 8;
        var data = new byte[(items.Count + storeBits - 1) / storeBits * storeBytes];
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is JsonValue v && v.TryGetValue<bool>(out var set) ? set : throw new FormatException($"{path}[{i}]: a bool is needed"))
            {
                var bit = i % storeBits;
                var position = msb ? storeBits - 1 - bit : bit;
                data[(i / storeBits * storeBytes) + (position / 8)] |= (byte)(1 << (position % 8));
            }
        }

        output.AddRange(KeyEncoder.Compact(items.Count));
        output.AddRange(data);
    }

    private static BigInteger Integer(JsonNode? value, string path) => value switch
    {
        // Any CLR number type a caller put in the node: read it back from its JSON text.
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && BigInteger.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
        JsonValue v when v.TryGetValue<string>(out var s) && BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big) => big,
        _ => throw new FormatException($"{path}: a whole number is needed, not {value?.ToJsonString() ?? "null"}"),
    };

    private static string Text(JsonNode? value, string path) =>
        value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"{path}: a string is needed, not {value?.ToJsonString() ?? "null"}");

    private static JsonArray Array(JsonNode? value, string path) =>
        value as JsonArray ?? throw new FormatException($"{path}: an array is needed, not {value?.ToJsonString() ?? "null"}");
}
