using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Chain.Scale;

/// <summary>
/// SCALE-encodes the simple values storage keys and runtime-call arguments are made of — integers, bools, accounts
/// (SS58 or <c>0x</c> hex), byte strings and newtypes over them — from text, guided by the registry type.
/// </summary>
public static class KeyEncoder
{
    /// <summary>Encodes <paramref name="text"/> as a value of <paramref name="typeId"/>; throws <see cref="FormatException"/> naming why not.</summary>
    public static byte[] Encode(TypeRegistry types, uint typeId, string text)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(text);
        var declared = types[typeId];
        var type = types.Unwrap(typeId);
        if (declared.Name == "AccountId32" || type.Def is ArrayDef { Length: 32 } && IsAccountText(text))
        {
            return Account(text);
        }

        switch (type.Def)
        {
            case PrimitiveDef primitive:
                return Primitive(primitive.Kind, text);
            case CompactDef compact:
                {
                    var value = ParseInteger(text, "a compact integer");
                    return value.Sign >= 0 && value < BigInteger.Pow(2, 128)
                        ? Compact(value)
                        : throw new FormatException($"{value} is out of range for a compact integer (0..2^128-1)");
                }
            case ArrayDef array when types.IsByte(array.Element):
                {
                    var bytes = Hex(text);
                    return bytes.Length == array.Length
                        ? bytes
                        : throw new FormatException($"'{text}' is {bytes.Length} bytes; {declared.PathName} is {array.Length}");
                }

            case SequenceDef sequence when types.IsByte(sequence.Element):
                {
                    var bytes = Hex(text);
                    return [.. Compact(bytes.Length), .. bytes];
                }

            default:
                throw new FormatException(
                    $"a key of type {Describe(declared)} cannot be written on the command line (integers, bools, accounts and hex bytes can)");
        }
    }

    /// <summary>A 32-byte account from an SS58 address or <c>0x</c> + 64 hex digits.</summary>
    public static byte[] Account(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("0x", StringComparison.Ordinal))
        {
            var bytes = Hex(text);
            return bytes.Length == 32 ? bytes : throw new FormatException($"'{text}' is {bytes.Length} bytes; an account is 32");
        }

        return Ss58.TryDecode(text, out var key, out _, out var reason)
            ? key
            : throw new FormatException($"'{Shorten(text)}' is not an SS58 account address: {reason}");
    }

    public static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>SCALE compact encoding of a non-negative integer.</summary>
    public static byte[] Compact(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "compact integers are non-negative");
        }

        if (value < 1 << 6)
        {
            return [(byte)((int)value << 2)];
        }

        if (value < 1 << 14)
        {
            var v = (ushort)(((int)value << 2) | 1);
            return U16(v);
        }

        if (value < 1 << 30)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, ((uint)value << 2) | 2);
            return bytes;
        }

        var body = value.ToByteArray(isUnsigned: true, isBigEndian: false);
        return [(byte)(((body.Length - 4) << 2) | 3), .. body];
    }

    private static byte[] Primitive(Primitive kind, string text)
    {
        switch (kind)
        {
            case Metadata.Primitive.Bool:
                return text switch
                {
                    "true" => [1],
                    "false" => [0],
                    _ => throw new FormatException($"'{Shorten(text)}' is not a bool (true or false)"),
                };
            case Metadata.Primitive.Str:
                {
                    var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
                    return [.. Compact(utf8.Length), .. utf8];
                }

            case Metadata.Primitive.Char:
                throw new FormatException("char keys are not supported");
            default:
                return Integer(kind, ParseInteger(text, kind.ToString().ToLowerInvariant()));
        }
    }

    /// <summary>A SCALE integer of <paramref name="kind"/> (u8…u256, i8…i256), little-endian, range-checked.</summary>
    public static byte[] Integer(Primitive kind, BigInteger value)
    {
        var (bytes, signed) = Width(kind);
        var max = BigInteger.Pow(2, (bytes * 8) - (signed ? 1 : 0)) - 1;
        var min = signed ? -max - 1 : BigInteger.Zero;
        if (value < min || value > max)
        {
            throw new FormatException($"{value} is out of range for {kind.ToString().ToLowerInvariant()} ({min}..{max})");
        }

        var output = new byte[bytes];
        var le = value.ToByteArray(isUnsigned: !signed, isBigEndian: false);
        le.AsSpan(0, Math.Min(le.Length, bytes)).CopyTo(output);
        if (signed && value.Sign < 0)
        {
            output.AsSpan(le.Length).Fill(0xff);
        }

        return output;
    }

    private static (int Bytes, bool Signed) Width(Primitive kind) => kind switch
    {
        Metadata.Primitive.U8 => (1, false),
        Metadata.Primitive.U16 => (2, false),
        Metadata.Primitive.U32 => (4, false),
        Metadata.Primitive.U64 => (8, false),
        Metadata.Primitive.U128 => (16, false),
        Metadata.Primitive.U256 => (32, false),
        Metadata.Primitive.I8 => (1, true),
        Metadata.Primitive.I16 => (2, true),
        Metadata.Primitive.I32 => (4, true),
        Metadata.Primitive.I64 => (8, true),
        Metadata.Primitive.I128 => (16, true),
        Metadata.Primitive.I256 => (32, true),
        _ => throw new FormatException($"{kind} is not an integer type"),
    };

    private static BigInteger ParseInteger(string text, string what) =>
        text.Length <= 80 && BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{Shorten(text)}' is not a whole number ({what})");

    private static byte[] Hex(string text)
    {
        var digits = text.StartsWith("0x", StringComparison.Ordinal) ? text[2..] : text;
        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException)
        {
            throw new FormatException($"'{Shorten(text)}' is not hex bytes (0x followed by an even number of hex digits)");
        }
    }

    private static bool IsAccountText(string text) => !text.StartsWith("0x", StringComparison.Ordinal) || text.Length == 66;

    private static string Describe(RegistryType type) => type.PathName.Length > 0 ? type.PathName : type.Def.GetType().Name.Replace("Def", "", StringComparison.Ordinal);

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
