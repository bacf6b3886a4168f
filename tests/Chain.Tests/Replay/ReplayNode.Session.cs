using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace Bittensor.Ledger.Chain.Tests.Replay;

// One client connection of the replay node, and its busy count.
public sealed partial class ReplayNode
{
    /// <summary>One client's WebSocket: reads messages and answers each on its own task, one send at a time.</summary>
    private sealed class Session(ReplayNode node, WebSocket socket, HttpContext http)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        private int _answered;

        public async Task RunAsync()
        {
            var chunk = new byte[64 * 1024];
            using var message = new MemoryStream();
            var work = new List<Task>();
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(chunk.AsMemory(), http.RequestAborted).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None)
                            .ConfigureAwait(false);
                        break;
                    }
                    message.Write(chunk, 0, result.Count);
                    if (!result.EndOfMessage)
                        continue;
                    var bytes = message.ToArray();
                    message.SetLength(0);
                    work.Add(Task.Run(() => HandleAsync(bytes)));
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException
                                          or IOException)
            {
                // The client went away, or a fault dropped the connection.
            }
            await Task.WhenAll(work).ConfigureAwait(false);
        }

        private async Task HandleAsync(byte[] request)
        {
            // "Busy" runs from arrival until just before the answer is sent, so a client that waits for an
            // answer before sending its next call can never be seen with more calls open than it allows.
            var busy = new BusyMark(node);
            try
            {
                if (node.AnswerDelay > TimeSpan.Zero)
                    await Task.Delay(node.AnswerDelay).ConfigureAwait(false);
                await RespondAsync(request, busy).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException
                                          or IOException)
            {
                // The connection is gone; nothing to answer to.
            }
            finally
            {
                busy.Done();
            }
        }

        private async Task RespondAsync(byte[] request, BusyMark busy)
        {
            await _send.WaitAsync().ConfigureAwait(false);
            try
            {
                var action = node.Decide(_answered);
                busy.Done();
                switch (action)
                {
                    case Action.Ignore:
                        return;
                    case Action.Garbage:
                        await SendAsync("<html><body>502 Bad Gateway</body></html>"u8.ToArray(), endOfMessage: true)
                            .ConfigureAwait(false);
                        break;
                    case Action.Drop:
                        Drop();
                        return;
                    case Action.DropMidAnswer:
                        var partial = node.Answer(request);
                        await SendAsync(partial.AsMemory(0, partial.Length / 2), endOfMessage: false).ConfigureAwait(false);
                        // A close frame after the half answer, on the same stream, so the client surely reads both;
                        // aborting instead can reset the TCP connection, which discards the unread half answer.
                        await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "node going away",
                            CancellationToken.None).ConfigureAwait(false);
                        return;
                    default:
                        await SendAsync(node.Answer(request), endOfMessage: true).ConfigureAwait(false);
                        break;
                }
                _answered++;
                Interlocked.Increment(ref node._answers);
            }
            finally
            {
                _send.Release();
            }
        }

        private Task SendAsync(ReadOnlyMemory<byte> bytes, bool endOfMessage) =>
            socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage, CancellationToken.None).AsTask();

        private void Drop()
        {
            socket.Abort();
            http.Abort();
        }
    }

    /// <summary>Counts one message as being answered, for <see cref="MaxConcurrentRequests"/>; ends once.</summary>
    private sealed class BusyMark
    {
        private readonly ReplayNode _node;
        private int _done;

        public BusyMark(ReplayNode node)
        {
            _node = node;
            var busy = Interlocked.Increment(ref node._busy);
            int seen;
            while (busy > (seen = Volatile.Read(ref node._maxBusy))
                   && Interlocked.CompareExchange(ref node._maxBusy, busy, seen) != seen)
            {
            }
        }

        public void Done()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                Interlocked.Decrement(ref _node._busy);
        }
    }
}
