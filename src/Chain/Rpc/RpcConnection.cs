using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Bittensor.Ledger.Chain.Rpc;

/// <summary>
/// One open WebSocket: sends messages one at a time, reads answers on a loop and completes the waiting calls by id.
/// When the socket fails it is dead for good; the client opens a new one.
/// </summary>
internal sealed class RpcConnection
{
    private readonly ClientWebSocket _socket;
    private readonly string _endpoint;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _deathLock = new();
    private volatile bool _dead;
    private string _deadReason = "";
    private bool _deadMidAnswer;

    public RpcConnection(ClientWebSocket socket, string endpoint)
    {
        _socket = socket;
        _endpoint = endpoint;
        _ = Task.Run(ReceiveLoopAsync);
    }

    public bool Dead => _dead;

    /// <summary>Registers a call before its message is sent; throws if the socket has already died.</summary>
    public void Register(PendingCall call)
    {
        _pending[call.Id] = call;
        if (_dead)
        {
            _pending.TryRemove(call.Id, out _);
            throw new ConnectionDroppedException(_deadReason, _deadMidAnswer);
        }
    }

    public void Unregister(long id) => _pending.TryRemove(id, out _);

    public async Task SendAsync(ReadOnlyMemory<byte> message)
    {
        // Never pass a caller's token here: cancelling a ClientWebSocket send aborts the whole socket.
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_dead)
                throw new ConnectionDroppedException(_deadReason, _deadMidAnswer);
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, _stop.Token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException
                                      or IOException)
        {
            Kill($"sending failed: {e.GetBaseException().Message}", midAnswer: false);
            throw new ConnectionDroppedException(_deadReason, _deadMidAnswer);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task CloseAsync()
    {
        if (_dead)
            return;
        Kill("the client closed the connection", midAnswer: false, abort: false);
        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", grace.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException
                                      or InvalidOperationException)
        {
            // Closing politely is best effort.
        }
        _stop.Cancel();
        _socket.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(chunk.AsMemory(), _stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var why = _socket.CloseStatusDescription is { Length: > 0 } d ? $": {d}" : "";
                    Kill($"the node closed the WebSocket{why}", message.Length > 0);
                    return;
                }
                message.Write(chunk, 0, result.Count);
                if (!result.EndOfMessage)
                    continue;
                Dispatch(message.GetBuffer().AsMemory(0, (int)message.Length));
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException
                                      or IOException)
        {
            Kill(e.GetBaseException().Message, message.Length > 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8);
        }
        catch (JsonException)
        {
            var sample = Sample(utf8.Span);
            FailAll(call => ChainRpcException.NotJson(_endpoint, call.Method, call.Block, sample));
            Kill("the node answered with something that is not JSON", midAnswer: false);
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var answer in root.EnumerateArray())
                    DispatchOne(answer);
            }
            else
            {
                DispatchOne(root);
            }
        }
    }

    private void DispatchOne(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object)
            return;
        var hasError = answer.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null;
        if (!TryReadId(answer, out var id))
        {
            // An error without an id (e.g. "Parse error") cannot be matched: every waiting call gets it.
            if (hasError)
                FailAll(call => ToException(call, error));
            return;
        }
        if (!_pending.TryRemove(id, out var pending))
            return;
        if (hasError)
            pending.Completion.TrySetException(ToException(pending, error));
        else if (answer.TryGetProperty("result", out var result))
            pending.Completion.TrySetResult(result.Clone());
        else
            pending.Completion.TrySetException(ChainRpcException.BadAnswer(pending.Method, pending.Block,
                "the node's answer has neither \"result\" nor \"error\"."));
    }

    private static bool TryReadId(JsonElement answer, out long id)
    {
        id = 0;
        if (!answer.TryGetProperty("id", out var idElement))
            return false;
        return idElement.ValueKind switch
        {
            JsonValueKind.Number => idElement.TryGetInt64(out id),
            JsonValueKind.String => long.TryParse(idElement.GetString(), out id),
            _ => false,
        };
    }

    private static ChainRpcException ToException(PendingCall call, JsonElement error)
    {
        var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c)
                   && c.TryGetInt32(out var n) ? n : 0;
        var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m)
            ? m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : m.GetRawText()
            : error.GetRawText();
        string? data = null;
        if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("data", out var d)
            && d.ValueKind != JsonValueKind.Null)
            data = d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText();
        return ChainRpcException.NodeError(call.Method, call.Block, code, message, data);
    }

    private void FailAll(Func<PendingCall, Exception> error)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var call))
                call.Completion.TrySetException(error(call));
        }
    }

    private void Kill(string reason, bool midAnswer, bool abort = true)
    {
        lock (_deathLock)
        {
            if (_dead)
                return;
            _deadReason = reason;
            _deadMidAnswer = midAnswer;
            _dead = true;
        }
        FailAll(_ => new ConnectionDroppedException(reason, midAnswer));
        if (abort)
        {
            _stop.Cancel();
            _socket.Abort();
        }
    }

    private static string Sample(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, 60)]);
        var clean = new StringBuilder(text.Length);
        foreach (var ch in text)
            clean.Append(char.IsControl(ch) ? ' ' : ch);
        return clean.ToString().Trim();
    }
}

/// <summary>A call whose message has been (or is about to be) sent and whose answer is awaited.</summary>
internal sealed class PendingCall(long id, string method, string? block)
{
    public long Id { get; } = id;

    public string Method { get; } = method;

    public string? Block { get; } = block;

    public TaskCompletionSource<JsonElement> Completion { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The socket died while a call waited; the client reconnects and sends the call again.</summary>
internal sealed class ConnectionDroppedException(string reason, bool midAnswer) : Exception(reason)
{
    public string Reason { get; } = reason;

    public bool MidAnswer { get; } = midAnswer;
}
