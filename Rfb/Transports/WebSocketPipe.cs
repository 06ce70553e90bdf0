using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Rfb.Protocol;

namespace Rfb.Transports;

/// <summary>
/// An <see cref="IDuplexPipe"/> over a server-side <see cref="WebSocket"/>: binary messages from
/// the client are pumped into <see cref="Input"/> as one byte stream, and what the session writes
/// to <see cref="Output"/> leaves as binary messages. The BCL's WebSocket does the framing, the
/// masking check, fragmentation, ping/pong and the close handshake; this class adds the limit on
/// message size (1009), hands each message to the session only once it is whole, and refuses
/// text messages (1003).
/// </summary>
internal sealed class WebSocketPipe : IDuplexPipe
{
    private const int ReceiveChunk = 16 * 1024;

    private readonly WebSocket _socket;
    private readonly int _maxMessageSize;
    private readonly TimeSpan _closeTimeout;
    private readonly Pipe _input = new(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
    private readonly Pipe _output = new(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
    private readonly CancellationTokenSource _abort = new();
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = string.Empty;
    private int _failed;

    public WebSocketPipe(WebSocket socket, int maxMessageSize, TimeSpan closeTimeout)
    {
        _socket = socket;
        _maxMessageSize = maxMessageSize;
        _closeTimeout = closeTimeout;
    }

    public PipeReader Input => _input.Reader;

    public PipeWriter Output => _output.Writer;

    /// <summary>
    /// Pumps both ways until the session completes its pipes or the connection fails, sends the
    /// close frame, waits up to the close timeout for the client's, then aborts the socket.
    /// </summary>
    public async Task RunAsync()
    {
        Task receive = ReceiveLoopAsync();
        await SendLoopAsync().ConfigureAwait(false);
        if (!receive.IsCompleted)
        {
            await Task.WhenAny(receive, Task.Delay(_closeTimeout)).ConfigureAwait(false);
        }

        _socket.Abort();
        _abort.Cancel();
        await receive.ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        PipeWriter writer = _input.Writer;
        bool sessionGone = false;
        long messageBytes = 0;
        byte[]? discard = null;
        try
        {
            while (true)
            {
                Memory<byte> memory = sessionGone || Volatile.Read(ref _failed) != 0
                    ? (discard ??= new byte[ReceiveChunk])
                    : writer.GetMemory(ReceiveChunk);
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(memory, _abort.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (sessionGone || Volatile.Read(ref _failed) != 0)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    Fail(WebSocketCloseStatus.InvalidMessageType, "text messages are not RFB");
                    continue;
                }

                messageBytes += result.Count;
                if (messageBytes > _maxMessageSize)
                {
                    Fail(WebSocketCloseStatus.MessageTooBig, $"a message over {_maxMessageSize} bytes");
                    continue;
                }

                // A message reaches the session whole: its fragments (and the pieces of a large
                // frame) wait unflushed in the pipe, at most MaxMessageSize bytes, until its last
                // byte. So a message over the limit is refused before the session has seen any of
                // it, whatever the session would have made of its first part.
                writer.Advance(result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                messageBytes = 0;
                FlushResult flush = await writer.FlushAsync(_abort.Token).ConfigureAwait(false);
                sessionGone = flush.IsCompleted;
            }

            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The BCL has already sent its close frame for protocol errors (1002 for an unmasked
            // frame or a bad opcode); the session sees a transport error.
            await writer.CompleteAsync(new IOException("WebSocket: " + ex.Message, ex)).ConfigureAwait(false);
            _output.Reader.CancelPendingRead();
        }
    }

    private void Fail(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _failed, 1) == 0)
        {
            _closeStatus = status;
            _closeReason = reason;
            _input.Writer.Complete(new RfbProtocolException("WebSocket: " + reason));
            _output.Reader.CancelPendingRead();
        }
    }

    private async Task SendLoopAsync()
    {
        PipeReader reader = _output.Reader;
        try
        {
            while (Volatile.Read(ref _failed) == 0)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    if (result.IsCanceled)
                    {
                        break;
                    }

                    foreach (ReadOnlyMemory<byte> segment in buffer)
                    {
                        await _socket.SendAsync(segment, WebSocketMessageType.Binary, endOfMessage: true, _abort.Token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(_closeTimeout);
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, timeout.Token).ConfigureAwait(false);
            }

            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone or stopped reading. Aborting ends the receive loop, which
            // completes the session's input with a transport error.
            await reader.CompleteAsync().ConfigureAwait(false);
            _socket.Abort();
            _abort.Cancel();
        }
    }
}
