using System.Text;
using System.Text.Json;

namespace Bittensor.Ledger.Application.Import;

/// <summary>The side file of `--skip-invalid`: one JSON object per rejected line,
/// <c>{"line": N, "field": ..., "reason": ..., "text": original}</c>. Created on the first rejection only.</summary>
internal sealed class RejectedLines(string path) : IAsyncDisposable
{
    private FileStream? _file;
    private Utf8JsonWriter? _writer;

    public string Path => path;

    public bool Any => _file is not null;

    public async Task WriteAsync(long line, string field, string reason, byte[] text, CancellationToken ct)
    {
        if (_file is null)
        {
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
            _writer = new Utf8JsonWriter(_file);
        }

        var w = _writer!;
        w.WriteStartObject();
        w.WriteNumber("line", line);
        w.WriteString("field", field);
        w.WriteString("reason", reason);
        w.WriteString("text", Encoding.UTF8.GetString(text));
        w.WriteEndObject();
        await w.FlushAsync(ct).ConfigureAwait(false);
        w.Reset();
        _file.WriteByte((byte)'\n');
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }
}
