using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Bittensor.Ledger.Application.Import;

/// <summary>One line of an NDJSON file: its 1-based number and its bytes without the line terminator.</summary>
public readonly record struct RawLine(long Number, byte[] Utf8);

/// <summary>Splits a stream into lines over bytes with a <see cref="PipeReader"/>, so a file of any size is read
/// with a bounded buffer and no decoding to strings. Accepts LF and CRLF; a last line without a terminator counts.</summary>
public static class NdjsonLines
{
    public static async IAsyncEnumerable<RawLine> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 16, leaveOpen: true));
        long number = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    yield return new RawLine(++number, Trim(buffer.Slice(0, end)));
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        yield return new RawLine(++number, Trim(buffer));
                    }

                    break;
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
