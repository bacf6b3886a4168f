using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace Bittensor.Ledger.Chain.Rpc;

/// <summary>
/// A Substrate JSON-RPC client over one WebSocket: numeric ids, batches, at most
/// <see cref="ChainRpcOptions.MaxInFlight"/> messages unanswered, a timeout per call, and reconnecting with
/// exponential backoff when the node drops the connection (every call it makes is a read, so calls that were
/// waiting are sent again). Every failure is a <see cref="ChainRpcException"/>. Typed methods are in
/// <c>ChainRpcClient.Methods.cs</c>.
/// </summary>
public sealed partial class ChainRpcClient : IAsyncDisposable
{
    private readonly Uri _url;
    private readonly ChainRpcOptions _options;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private volatile RpcConnection? _connection;
    private long _nextId;

    /// <summary>How many JSON-RPC requests this client has sent (each element of a batch counts), for reports and benchmarks.</summary>
    public long Requests => Interlocked.Read(ref _nextId);

    private bool _disposed;

    private ChainRpcClient(Uri url, ChainRpcOptions options)
    {
        _url = url;
        _options = options;
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        Endpoint = $"{url.Host}:{url.Port}";
    }

    /// <summary>The node's <c>host:port</c>, as error messages name it.</summary>
    public string Endpoint { get; }

    /// <summary>The options this client runs with.</summary>
    public ChainRpcOptions Options => _options;

    /// <summary>Opens a WebSocket to the node at <paramref name="url"/> (<c>ws://</c> or <c>wss://</c>).</summary>
    /// <exception cref="ChainRpcException">The URL is not a WebSocket URL, or the node cannot be reached.</exception>
    public static Task<ChainRpcClient> ConnectAsync(
        string url, ChainRpcOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw ChainRpcException.BadUrl(url);
        return ConnectAsync(uri, options, cancellationToken);
    }

    /// <inheritdoc cref="ConnectAsync(string, ChainRpcOptions?, CancellationToken)"/>
    public static async Task<ChainRpcClient> ConnectAsync(
        Uri url, ChainRpcOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Scheme is not ("ws" or "wss"))
            throw ChainRpcException.BadUrl(url.OriginalString);
        options ??= new ChainRpcOptions();
        options.Validate();
        var client = new ChainRpcClient(url, options);
        try
        {
            await client.GetConnectionAsync(null, null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return client;
    }

    /// <summary>Sends one call and returns its <c>result</c> (JSON null when the node answered null).</summary>
    /// <exception cref="ChainRpcException">Any failure: see <see cref="ChainRpcFailure"/>.</exception>
    public async Task<JsonElement> CallAsync(RpcCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var results = await ExecuteAsync([call], asBatch: false, cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>
    /// Sends the calls as one JSON-RPC batch (a JSON array) and returns their results in the order of
    /// <paramref name="calls"/>, matched by id whatever order the node answers in. A batch counts as one message
    /// in flight and shares one timeout. If any call fails, the first failing one (in call order) is thrown.
    /// </summary>
    /// <exception cref="ChainRpcException">Any failure: see <see cref="ChainRpcFailure"/>.</exception>
    public async Task<IReadOnlyList<JsonElement>> BatchAsync(
        IReadOnlyList<RpcCall> calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0)
            return [];
        return await ExecuteAsync(calls, asBatch: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the WebSocket; calls still waiting are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (_connection is { } connection)
            await connection.CloseAsync().ConfigureAwait(false);
    }

    private async Task<JsonElement[]> ExecuteAsync(
        IReadOnlyList<RpcCall> calls, bool asBatch, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (method, block) = Describe(calls);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        await _inFlight.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            timeout.CancelAfter(_options.RequestTimeout);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var connection = await GetConnectionAsync(method, block, timeout.Token).ConfigureAwait(false);
                    return await SendAndWaitAsync(connection, calls, asBatch, timeout.Token).ConfigureAwait(false);
                }
                catch (ConnectionDroppedException dropped) when (attempt > _options.MaxReconnectAttempts)
                {
                    throw ChainRpcException.ConnectionLost(
                        Endpoint, method, block, attempt, dropped.MidAnswer, dropped.Reason);
                }
                catch (ConnectionDroppedException)
                {
                    // Sent again on the next connection; GetConnectionAsync backs off before reconnecting.
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested
                                                         && !_lifetime.IsCancellationRequested)
                {
                    throw ChainRpcException.Timeout(method, block, _options.RequestTimeout);
                }
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task<JsonElement[]> SendAndWaitAsync(
        RpcConnection connection, IReadOnlyList<RpcCall> calls, bool asBatch, CancellationToken token)
    {
        var pending = new PendingCall[calls.Count];
        for (var i = 0; i < calls.Count; i++)
            pending[i] = new PendingCall(Interlocked.Increment(ref _nextId), calls[i].Method, calls[i].Block);
        try
        {
            foreach (var call in pending)
                connection.Register(call);
            try
            {
                // A node that stops reading can block the send: the caller's timeout still applies.
                await connection.SendAsync(Serialize(calls, pending, asBatch)).WaitAsync(token).ConfigureAwait(false);
            }
            catch (ConnectionDroppedException) when (pending.Any(p => p.Completion.Task.IsFaulted))
            {
                // The answer (e.g. not JSON) arrived and killed the socket before the send returned: report it.
                await pending.First(p => p.Completion.Task.IsFaulted).Completion.Task.ConfigureAwait(false);
                throw;
            }
            var results = new JsonElement[calls.Count];
            for (var i = 0; i < pending.Length; i++)
                results[i] = await pending[i].Completion.Task.WaitAsync(token).ConfigureAwait(false);
            return results;
        }
        finally
        {
            foreach (var call in pending)
                connection.Unregister(call.Id);
        }
    }

    private async Task<RpcConnection> GetConnectionAsync(string? method, string? block, CancellationToken token)
    {
        if (_connection is { Dead: false } live)
            return live;
        await _connectLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (_connection is { Dead: false } opened)
                return opened;
            var reconnecting = _connection is not null;
            var attempts = reconnecting ? Math.Max(1, _options.MaxReconnectAttempts) : 1;
            Exception? last = null;
            for (var i = 0; i < attempts; i++)
            {
                if (reconnecting)
                    await Task.Delay(Backoff(i), token).ConfigureAwait(false);
                try
                {
                    _connection = await OpenAsync(token).ConfigureAwait(false);
                    return _connection;
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    last = e;
                }
            }
            var reason = last!.GetBaseException().Message;
            if (reconnecting)
                reason += $"; the connection had dropped and {attempts} reconnect attempts failed";
            throw ChainRpcException.Unreachable(Endpoint, method, block, reason, last);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task<RpcConnection> OpenAsync(CancellationToken token)
    {
        var socket = new ClientWebSocket();
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        connectTimeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(_url, connectTimeout.Token).ConfigureAwait(false);
            return new RpcConnection(socket, Endpoint);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException(
                $"no WebSocket handshake within {ChainRpcException.Describe(_options.ConnectTimeout)}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var delay = _options.ReconnectBaseDelay * Math.Pow(2, Math.Min(attempt, 20));
        return delay < _options.ReconnectMaxDelay ? delay : _options.ReconnectMaxDelay;
    }

    private static (string Method, string? Block) Describe(IReadOnlyList<RpcCall> calls) =>
        calls.Count == 1
            ? (calls[0].Method, calls[0].Block)
            : ($"batch of {calls.Count} calls ({string.Join(", ", calls.Select(c => c.Method).Distinct())})",
                calls.Select(c => c.Block).Distinct().Count() == 1 ? calls[0].Block : null);

    private static ReadOnlyMemory<byte> Serialize(IReadOnlyList<RpcCall> calls, PendingCall[] pending, bool asBatch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (asBatch)
                writer.WriteStartArray();
            for (var i = 0; i < calls.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("jsonrpc", "2.0");
                writer.WriteNumber("id", pending[i].Id);
                writer.WriteString("method", calls[i].Method);
                writer.WritePropertyName("params");
                calls[i].Params.WriteTo(writer);
                writer.WriteEndObject();
            }
            if (asBatch)
                writer.WriteEndArray();
        }
        return buffer.WrittenMemory;
    }
}
