using System.Buffers.Binary;
using System.Numerics;

namespace Bittensor.Ledger.Chain.Scale;

/// <summary>
/// Sequential SCALE reader over a byte array. All multi-byte integers are little-endian;
/// every read checks bounds and throws <see cref="ScaleDecodeException"/> with the offset.
/// </summary>
public sealed class ScaleReader
{
    private readonly byte[] _data;

    public ScaleReader(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
    }

    public int Position { get; set; }

    public int Length => _data.Length;

    public int Remaining => _data.Length - Position;

    public bool AtEnd => Position >= _data.Length;

    public ReadOnlySpan<byte> ReadBytes(int count, string what = "bytes")
    {
        if (count < 0)
        {
            throw new ScaleDecodeException(what, Position, $"negative length {count}");
        }

        if (count > Remaining)
        {
            throw new ScaleDecodeException(what, Position, $"needs {count} bytes, only {Remaining} left");
        }

        var span = new ReadOnlySpan<byte>(_data, Position, count);
        Position += count;
        return span;
    }

    public byte ReadU8(string what = "u8") => ReadBytes(1, what)[0];

    /// <summary>The next byte without consuming it (the caller checks <see cref="Remaining"/>).</summary>
    public byte Peek() => _data[Position];

    public sbyte ReadI8(string what = "i8") => unchecked((sbyte)ReadU8(what));

    public ushort ReadU16(string what = "u16") => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2, what));

    public short ReadI16(string what = "i16") => BinaryPrimitives.ReadInt16LittleEndian(ReadBytes(2, what));

    public uint ReadU32(string what = "u32") => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, what));

    public int ReadI32(string what = "i32") => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4, what));

    public ulong ReadU64(string what = "u64") => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8, what));

    public long ReadI64(string what = "i64") => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8, what));

    public UInt128 ReadU128(string what = "u128") => BinaryPrimitives.ReadUInt128LittleEndian(ReadBytes(16, what));

    public Int128 ReadI128(string what = "i128") => BinaryPrimitives.ReadInt128LittleEndian(ReadBytes(16, what));

    /// <summary>Unsigned little-endian integer of any byte width (u256 etc.).</summary>
    public BigInteger ReadUnsigned(int byteCount, string what = "uint") =>
        new(ReadBytes(byteCount, what), isUnsigned: true, isBigEndian: false);

    /// <summary>Signed little-endian two's-complement integer of any byte width.</summary>
    public BigInteger ReadSigned(int byteCount, string what = "int") =>
        new(ReadBytes(byteCount, what), isUnsigned: false, isBigEndian: false);

    public bool ReadBool(string what = "bool")
    {
        var start = Position;
        var b = ReadU8(what);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw new ScaleDecodeException(what, start, $"invalid bool byte 0x{b:x2}"),
        };
    }

    /// <summary>Reads a compact integer in any of the four modes (single, two, four byte, big-integer).</summary>
    public BigInteger ReadCompact(string what = "compact")
    {
        var start = Position;
        var first = ReadU8(what);
        switch (first & 0b11)
        {
            case 0:
                return first >> 2;
            case 1:
                {
                    var second = ReadU8(what);
                    return ((uint)second << 6) | ((uint)first >> 2);
                }

            case 2:
                {
                    Position = start;
                    return ReadU32(what) >> 2;
                }

            default:
                {
                    var len = (first >> 2) + 4;
                    if (len > 67)
                    {
                        throw new ScaleDecodeException(what, start, $"compact length {len} too large");
                    }

                    return ReadUnsigned(len, what);
                }
        }
    }

    /// <summary>A compact integer that must fit in 64 bits; the common modes are read without a BigInteger.</summary>
    public ulong ReadCompactU64(string what = "compact")
    {
        var start = Position;
        var first = ReadU8(what);
        switch (first & 0b11)
        {
            case 0:
                return (ulong)(first >> 2);
            case 1:
                return ((ulong)ReadU8(what) << 6) | ((ulong)first >> 2);
            case 2:
                Position = start;
                return ReadU32(what) >> 2;
            default:
                {
                    var len = (first >> 2) + 4;
                    if (len > 8)
                    {
                        Position = start;
                        var big = ReadCompact(what);
                        throw new ScaleDecodeException(what, start, $"compact {big} exceeds u64");
                    }

                    Span<byte> buffer = stackalloc byte[8];
                    buffer.Clear();
                    ReadBytes(len, what).CopyTo(buffer);
                    return BinaryPrimitives.ReadUInt64LittleEndian(buffer);
                }
        }
    }

    public uint ReadCompactU32(string what = "compact")
    {
        var start = Position;
        var v = ReadCompactU64(what);
        if (v > uint.MaxValue)
        {
            throw new ScaleDecodeException(what, start, $"compact {v} exceeds u32");
        }

        return (uint)v;
    }

    public UInt128 ReadCompactU128(string what = "compact")
    {
        var start = Position;
        var v = ReadCompact(what);
        if (v > (BigInteger)UInt128.MaxValue)
        {
            throw new ScaleDecodeException(what, start, $"compact {v} exceeds u128");
        }

        return (UInt128)v;
    }

    /// <summary>Reads a compact length prefix (of a Vec, string or bytes) and checks it is plausible.</summary>
    public int ReadLength(string what = "length")
    {
        var start = Position;
        var v = ReadCompactU64(what);
        if (v > int.MaxValue)
        {
            throw new ScaleDecodeException(what, start, $"length {v} too large");
        }

        return (int)v;
    }

    public byte[] ReadByteVec(string what = "Vec<u8>")
    {
        var len = ReadLength(what);
        return ReadBytes(len, what).ToArray();
    }

    public string ReadString(string what = "string") =>
        System.Text.Encoding.UTF8.GetString(ReadBytes(ReadLength(what), what));

    /// <summary>Reads the Option tag: false for None (0x00), true for Some (0x01).</summary>
    public bool ReadOptionTag(string what = "Option")
    {
        var start = Position;
        var b = ReadU8(what);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw new ScaleDecodeException(what, start, $"invalid Option tag 0x{b:x2}"),
        };
    }

    public T? ReadOption<T>(Func<ScaleReader, T> readSome, string what = "Option")
        where T : class
    {
        ArgumentNullException.ThrowIfNull(readSome);
        return ReadOptionTag(what) ? readSome(this) : null;
    }

    public T? ReadOptionValue<T>(Func<ScaleReader, T> readSome, string what = "Option")
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(readSome);
        return ReadOptionTag(what) ? readSome(this) : null;
    }

    public List<T> ReadVec<T>(Func<ScaleReader, T> readItem, string what = "Vec")
    {
        ArgumentNullException.ThrowIfNull(readItem);
        var len = ReadLength(what);
        if (len > Remaining)
        {
            // Every element takes at least... not necessarily a byte (unit types), but real data never does this.
            throw new ScaleDecodeException(what, Position, $"length {len} exceeds remaining {Remaining} bytes");
        }

        var list = new List<T>(len);
        for (var i = 0; i < len; i++)
        {
            list.Add(readItem(this));
        }

        return list;
    }

    public T[] ReadArray<T>(int count, Func<ScaleReader, T> readItem)
    {
        ArgumentNullException.ThrowIfNull(readItem);
        var arr = new T[count];
        for (var i = 0; i < count; i++)
        {
            arr[i] = readItem(this);
        }

        return arr;
    }
}
