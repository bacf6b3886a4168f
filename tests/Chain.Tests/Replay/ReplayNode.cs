using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bittensor.Ledger.Chain.Tests.Replay;

/// <summary>
/// A loopback Substrate JSON-RPC node for tests: Kestrel on <c>127.0.0.1</c>, a free port, one WebSocket per client,
/// answering single calls and batches from <see cref="Recordings"/> and echoing each request's id. Unknown
/// method/params get JSON-RPC error -32601 naming them. Fault modes (<see cref="DropConnection"/>,
/// <see cref="Stall"/>, <see cref="AnswerGarbage"/>, <see cref="AnswerError"/>) break it on purpose.
/// </summary>
public sealed partial class ReplayNode : IAsyncDisposable
{
    /// <summary>The error code for a request the recordings do not hold.</summary>
    public const int NoRecordingCode = -32601;

    private readonly WebApplication _app;
    private readonly Lock _faultLock = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<HttpContext, byte> _open = new();
    private readonly ConcurrentDictionary<string, Func<JsonArray, string?>> _handlers = new();
    private Faults _faults = new();
    private int _connections;
    private int _answers;
    private int _busy;
    private int _maxBusy;
    private int _disposed;

    private ReplayNode(WebApplication app, ReplayRecordings recordings)
    {
        _app = app;
        Recordings = recordings;
    }

    /// <summary>The answers this node serves; add to it at any time.</summary>
    public ReplayRecordings Recordings { get; }

    /// <summary>The node's URL, <c>ws://127.0.0.1:{port}/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>WebSocket connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Messages answered so far (a batch is one), faulty answers included.</summary>
    public int Answers => Volatile.Read(ref _answers);

    /// <summary>The most messages being answered at once (only meaningful with <see cref="AnswerDelay"/>).</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxBusy);

    /// <summary>Every request received, as <c>method canonical-params</c>, in arrival order.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    /// <summary>A pause before each answer, so that requests overlap. Zero by default.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Starts a node answering from <paramref name="recordings"/> (or nothing, to add answers later).</summary>
    public static async Task<ReplayNode> StartAsync(ReplayRecordings? recordings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var node = new ReplayNode(app, recordings ?? new ReplayRecordings());
        app.UseWebSockets();
        app.Run(node.AcceptAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        node.Url = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/");
        return node;
    }

    /// <summary>Starts a node answering from a <c>{method: {params: response}}</c> recordings file.</summary>
    public static Task<ReplayNode> StartAsync(string recordingsFile) =>
        StartAsync(ReplayRecordings.FromFile(recordingsFile));

    /// <summary>
    /// Drops the connection instead of answering, once a connection has answered <paramref name="afterAnswers"/>
    /// messages, <paramref name="times"/> times in all (<see cref="int.MaxValue"/>: always). With
    /// <paramref name="midAnswer"/> it sends half of the answer as an unfinished WebSocket message, then a close frame.
    /// </summary>
    public void DropConnection(int afterAnswers = 0, int times = 1, bool midAnswer = false) =>
        SetFaults(f => f with { DropAfter = afterAnswers, DropsLeft = times, DropMidAnswer = midAnswer });

    /// <summary>
    /// Answers calls of <paramref name="method"/> with a function of their params, for tests that serve a chain
    /// they build: it returns the result as JSON text (<c>"null"</c> for a JSON null), or null to fall back to
    /// <see cref="Recordings"/>. <c>state_getStorageAt</c> calls reach a <c>state_getStorage</c> handler.
    /// </summary>
    public void Handle(string method, Func<JsonArray, string?> answer) => _handlers[Alias(method)] = answer;

    /// <summary>Reads requests and never answers them.</summary>
    public void Stall() => SetFaults(f => f with { Stall = true });

    /// <summary>Answers the next <paramref name="times"/> messages with text that is not JSON.</summary>
    public void AnswerGarbage(int times = int.MaxValue) => SetFaults(f => f with { GarbageLeft = times });

    /// <summary>Answers calls of <paramref name="method"/> (null: every call) with this JSON-RPC error.</summary>
    public void AnswerError(int code, string message, string? method = null) =>
        SetFaults(f => f with { Error = (code, message, method) });

    /// <summary>Back to answering normally.</summary>
    public void ClearFaults() => SetFaults(_ => new Faults());

    /// <summary>Stops listening and drops every open connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        foreach (var http in _open.Keys)
            http.Abort();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void SetFaults(Func<Faults, Faults> change)
    {
        lock (_faultLock)
            _faults = change(_faults);
    }

    private async Task AcceptAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _connections);
        _open[http] = 0;
        try
        {
            await new Session(this, socket, http).RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _open.TryRemove(http, out _);
        }
    }

    /// <summary>Decides, under the fault lock, what to do with the next message of a connection.</summary>
    private Action Decide(int answeredOnConnection)
    {
        lock (_faultLock)
        {
            if (_faults.Stall)
                return Action.Ignore;
            if (_faults.GarbageLeft > 0)
            {
                _faults = _faults with { GarbageLeft = _faults.GarbageLeft - 1 };
                return Action.Garbage;
            }
            if (_faults.DropsLeft > 0 && answeredOnConnection >= _faults.DropAfter)
            {
                _faults = _faults with { DropsLeft = _faults.DropsLeft == int.MaxValue ? int.MaxValue : _faults.DropsLeft - 1 };
                return _faults.DropMidAnswer ? Action.DropMidAnswer : Action.Drop;
            }
            return Action.Answer;
        }
    }

    private (int Code, string Message, string? Method)? ErrorFault()
    {
        lock (_faultLock)
            return _faults.Error;
    }

    /// <summary>The answer to one message: a single response object, or an array for a batch.</summary>
    private byte[] Answer(ReadOnlyMemory<byte> message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(message);
        }
        catch (JsonException e)
        {
            WriteError(writer, default, -32700, $"Parse error: {e.Message}");
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                writer.WriteStartArray();
                foreach (var request in doc.RootElement.EnumerateArray())
                    AnswerOne(writer, request);
                writer.WriteEndArray();
            }
            else
            {
                AnswerOne(writer, doc.RootElement);
            }
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private void AnswerOne(Utf8JsonWriter writer, JsonElement request)
    {
        var id = request.TryGetProperty("id", out var idElement) ? idElement : default;
        var method = request.TryGetProperty("method", out var m) ? m.GetString() ?? "" : "";
        var parameters = request.TryGetProperty("params", out var p) ? JsonNode.Parse(p.GetRawText()) : null;
        _requests.Enqueue($"{method} {ReplayRecordings.Canonical(method, parameters)}");
        if (ErrorFault() is { } error && (error.Method is null || error.Method == method))
        {
            WriteError(writer, id, error.Code, error.Message);
            return;
        }
        if (_handlers.TryGetValue(Alias(method), out var handler)
            && handler(parameters as JsonArray ?? []) is { } resultJson)
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            WriteId(writer, id);
            writer.WritePropertyName("result");
            writer.WriteRawValue(resultJson);
            writer.WriteEndObject();
            return;
        }
        if (!Recordings.TryFind(method, parameters, out var response))
        {
            WriteError(writer, id, NoRecordingCode,
                $"the replay node has no recording of {method} {ReplayRecordings.Canonical(method, parameters)}");
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        WriteId(writer, id);
        if (response.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in response.EnumerateObject())
            {
                if (property.Name is not ("jsonrpc" or "id"))
                    property.WriteTo(writer);
            }
        }
        else
        {
            writer.WritePropertyName("result");
            response.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    private static string Alias(string method) => method == "state_getStorageAt" ? "state_getStorage" : method;

    private static void WriteError(Utf8JsonWriter writer, JsonElement id, int code, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        WriteId(writer, id);
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteId(Utf8JsonWriter writer, JsonElement id)
    {
        writer.WritePropertyName("id");
        if (id.ValueKind == JsonValueKind.Undefined)
            writer.WriteNullValue();
        else
            id.WriteTo(writer);
    }

    private enum Action
    {
        Answer,
        Ignore,
        Garbage,
        Drop,
        DropMidAnswer,
    }

    private sealed record Faults
    {
        public bool Stall { get; init; }

        public int GarbageLeft { get; init; }

        public int DropAfter { get; init; }

        public int DropsLeft { get; init; }

        public bool DropMidAnswer { get; init; }

        public (int Code, string Message, string? Method)? Error { get; init; }
    }
}
