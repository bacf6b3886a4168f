using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Rows in PostgreSQL's binary COPY format (the "Binary Format" section of the COPY reference: an 11-byte
/// signature, flags and extension length, then per row an int16 field count and per field an int32 length and the
/// type's binary send representation, then an int16 -1), built ahead of the write so the write only streams bytes.
/// Only the types the import writes: bigint, uuid, varchar (UTF-8, the connection's client encoding), jsonb
/// (version 1 + text), timestamptz (microseconds since 2000-01-01 UTC) and boolean.</summary>
internal sealed class CopyBuffer
{
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private byte[] _bytes = new byte[1 << 16];
    private int _length;

    public int Length => _length;

    private static ReadOnlySpan<byte> Signature => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    public static long TimestampTz(DateTime utc) => (utc.Ticks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond;

    public void Header()
    {
        var span = Reserve(19);
        Signature.CopyTo(span);
        BinaryPrimitives.WriteInt32BigEndian(span[11..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[15..], 0);
        _length += 19;
    }

    public void Trailer()
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), -1);
        _length += 2;
    }

    public void Row(short fields)
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), fields);
        _length += 2;
    }

    /// <summary>Writes a bigint field and returns the offset of its value (for <see cref="Patch"/>).</summary>
    public int Int64(long value)
    {
        var span = Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
        _length += 12;
        return _length - 8;
    }

    public void Patch(int offset, long value) => BinaryPrimitives.WriteInt64BigEndian(_bytes.AsSpan(offset, 8), value);

    public void Uuid(Guid value)
    {
        var span = Reserve(20);
        BinaryPrimitives.WriteInt32BigEndian(span, 16);
        value.TryWriteBytes(span[4..], bigEndian: true, out _);
        _length += 20;
    }

    public void Bool(bool value)
    {
        var span = Reserve(5);
        BinaryPrimitives.WriteInt32BigEndian(span, 1);
        span[4] = value ? (byte)1 : (byte)0;
        _length += 5;
    }

    public void Text(string value) => Text(value, prefix: false);

    public void Jsonb(string json) => Text(json, prefix: true);

    public async Task CopyAsync(NpgsqlConnection connection, string copyFromStdinBinary, CancellationToken ct)
    {
        await using var stream = await connection.BeginRawBinaryCopyAsync(copyFromStdinBinary, ct).ConfigureAwait(false);
        await stream.WriteAsync(_bytes.AsMemory(0, _length), ct).ConfigureAwait(false);
    }

    private void Text(string value, bool prefix)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length) + 5;
        var span = Reserve(max);
        var start = prefix ? 5 : 4;
        if (prefix)
        {
            span[4] = 1; // jsonb binary format version
        }

        var n = Encoding.UTF8.GetBytes(value, span[start..]);
        BinaryPrimitives.WriteInt32BigEndian(span, n + start - 4);
        _length += n + start;
    }

    private Span<byte> Reserve(int n)
    {
        if (_length + n > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + n));
        }

        return _bytes.AsSpan(_length, n);
    }
}
