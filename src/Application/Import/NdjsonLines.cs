using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Bittensor.Ledger.Application.Import;

/// <summary>
/// One line of an NDJSON file: its 1-based number and its bytes without the line terminator. A line longer than
/// <see cref="NdjsonLines.MaxLineBytes"/> keeps only its first bytes (for the rejected-lines file) and
/// <see cref="TooLong"/> holds its full length, so it is refused without ever being held whole.
/// </summary>
public readonly record struct RawLine(long Number, byte[] Utf8)
{
    public long? TooLong { get; init; }
}

/// <summary>Splits a stream into lines over bytes with a <see cref="PipeReader"/>, so a file of any size is read
/// with a bounded buffer and no decoding to strings. Accepts LF and CRLF; a last line without a terminator counts.</summary>
public static class NdjsonLines
{
    /// <summary>The longest line read (1 MiB): a weights row of 4,096 uids is about 50 KB.</summary>
    public const int MaxLineBytes = 1 << 20;

    private const int KeptOfTooLong = 256;

    public static async IAsyncEnumerable<RawLine> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 16, leaveOpen: true));
        long number = 0;
        long skipped = -1; // the length so far of a too-long line being skipped, or -1
        byte[] head = [];
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (skipped >= 0)
                {
                    if (buffer.PositionOf((byte)'\n') is not { } tail)
                    {
                        skipped += buffer.Length;
                        reader.AdvanceTo(buffer.End);
                        if (result.IsCompleted)
                        {
                            yield return new RawLine(++number, head) { TooLong = skipped };
                            break;
                        }

                        continue;
                    }

                    yield return new RawLine(++number, head) { TooLong = skipped + buffer.Slice(0, tail).Length };
                    buffer = buffer.Slice(buffer.GetPosition(1, tail));
                    skipped = -1;
                }

                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, end);
                    yield return line.Length > MaxLineBytes
                        ? new RawLine(++number, line.Slice(0, KeptOfTooLong).ToArray()) { TooLong = line.Length }
                        : new RawLine(++number, Trim(line));
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        yield return buffer.Length > MaxLineBytes
                            ? new RawLine(++number, buffer.Slice(0, KeptOfTooLong).ToArray()) { TooLong = buffer.Length }
                            : new RawLine(++number, Trim(buffer));
                    }

                    break;
                }

                if (buffer.Length > MaxLineBytes)
                {
                    // No newline within the limit: keep the head, drop the rest as it arrives.
                    head = buffer.Slice(0, KeptOfTooLong).ToArray();
                    skipped = buffer.Length;
                    reader.AdvanceTo(buffer.End);
                    continue;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static byte[] Trim(ReadOnlySequence<byte> line)
    {
        var bytes = line.ToArray();
        return bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
    }
}
