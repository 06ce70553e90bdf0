using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using ConsoleBridge;
using Microsoft.Extensions.Logging;
using Rfb.Encodings;
using Rfb.Logging;
using Rfb.Protocol;
using Rfb.Security;

namespace Rfb.Sessions;

/// <summary>
/// One client connection: the handshake, the read loop that parses client messages and hands
/// input to the console's host, and the update loop, the only writer after the handshake, which
/// sends the tiles changed since this client's last update whenever it has a request outstanding.
/// A client without a request only accumulates damage; no frame is ever queued for it.
/// </summary>
internal sealed partial class RfbSession
{
    private const int SecurityTypeInvalid = 0;
    private const int SecurityTypeNone = 1;
    private const int SecurityTypeVncAuthentication = 2;

    private readonly RfbServer _server;
    private readonly Desktop _desktop;
    private readonly RfbServerOptions _options;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly AsyncSignal _wake = new();
    private readonly object _stateLock = new();
    private readonly List<PixelRect> _rects = new();
    private readonly Dictionary<int, IRectangleEncoder> _encoders = new();
    private readonly ArrayBufferWriter<byte> _scratch = new();
    private readonly EventHandler _onDesktopChanged;

    private int _endReason = -1;
    private string? _endDetail;

    // Negotiated state, written by the read loop under _stateLock.
    private ProtocolVersion _version;
    private PixelFormat _format = PixelFormat.Canonical;
    private PixelTranslator? _translator;
    private ClientCapabilities _capabilities = ClientCapabilities.From([]);
    private bool _qemuKeyAckPending;
    private bool _desktopNamePending;
    private bool _extendedDesktopSizePending;
    private DesktopSizeStatus? _layoutReply;
    private bool _otherClientLayoutPending;
    private long _otherClientLayoutGeneration;
    private DesktopHead? _inputHead;
    private bool _requested;
    private long _requestSerial;
    private PixelRect _incrementalArea;
    private PixelRect _fullArea;
    private int _pendingBells;
    private string? _pendingCutText;

    // Update state, owned by the update loop.
    private long _seenLayoutGeneration = -1;
    private int _clientWidth;
    private int _clientHeight;
    private bool _resizeWarned;

    public RfbSession(long id, RfbServer server, Desktop desktop, RfbServerOptions options, IDuplexPipe transport, string remote, IPAddress? address, ILogger logger)
    {
        Id = id;
        _server = server;
        _desktop = desktop;
        _options = options;
        _input = transport.Input;
        _output = transport.Output;
        Remote = remote;
        Address = address;
        _logger = logger;
        _onDesktopChanged = (_, _) => _wake.Set();
    }

    public long Id { get; }

    public string Remote { get; }

    public IPAddress? Address { get; }

    /// <summary>Whether the client asked for shared access in ClientInit (valid once initialised).</summary>
    public bool Shared { get; private set; }

    /// <summary>Why the session ended, once it has.</summary>
    public SessionEndReason? EndReason => _endReason < 0 ? null : (SessionEndReason)_endReason;

    /// <summary>Ends the session for <paramref name="reason"/>; the loops stop and the transport closes.</summary>
    public void Close(SessionEndReason reason, string? detail = null)
    {
        if (TrySetEndReason(reason, detail))
        {
            _closing.Cancel();
            try
            {
                _input.CancelPendingRead();
                _output.CancelPendingFlush();
            }
            catch (ObjectDisposedException)
            {
                // The session already completed its pipes.
            }
        }
    }

    public void Bell()
    {
        lock (_stateLock)
        {
            _pendingBells = Math.Min(_pendingBells + 1, 8);
        }

        _wake.Set();
    }

    public void SendCutText(string text)
    {
        lock (_stateLock)
        {
            _pendingCutText = text;
        }

        _wake.Set();
    }

    public void DesktopNameChanged()
    {
        lock (_stateLock)
        {
            _desktopNamePending = true;
        }

        _wake.Set();
    }

    /// <summary>Another client's SetDesktopSize made layout <paramref name="generation"/>: announce it with reason 2.</summary>
    public void LayoutChangedByOtherClient(long generation)
    {
        lock (_stateLock)
        {
            _otherClientLayoutGeneration = Math.Max(_otherClientLayoutGeneration, generation);
            _otherClientLayoutPending = false;
        }

        _wake.Set();
    }

    /// <summary>
    /// Another client's SetDesktopSize is being applied: a layout change seen until
    /// <see cref="LayoutChangedByOtherClient"/> or <see cref="OtherClientLayoutDone"/> is that
    /// client's doing (reason 2), even when this session's update loop sees it first.
    /// </summary>
    public void OtherClientLayoutStarting()
    {
        lock (_stateLock)
        {
            _otherClientLayoutPending = true;
        }
    }

    /// <summary>Another client's SetDesktopSize ended without changing the layout.</summary>
    public void OtherClientLayoutDone()
    {
        lock (_stateLock)
        {
            _otherClientLayoutPending = false;
        }
    }

    public async Task RunAsync()
    {
        CancellationToken token = _closing.Token;
        Task? updateLoop = null;
        bool subscribed = false;
        try
        {
            using (var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                handshakeTimeout.CancelAfter(_options.HandshakeTimeout);
                try
                {
                    if (!await HandshakeAsync(handshakeTimeout.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    TrySetEndReason(SessionEndReason.HandshakeTimeout, $" after {_options.HandshakeTimeout.TotalSeconds:0.#} s");
                    return;
                }
            }

            if (!_server.Admit(this))
            {
                TrySetEndReason(SessionEndReason.ExclusiveAccessRefused, null);
                return;
            }

            _desktop.Updated += _onDesktopChanged;
            subscribed = true;
            WriteServerInit();
            await FlushAsync(token).ConfigureAwait(false);

            updateLoop = UpdateLoopAsync(token);
            Task readLoop = ReadLoopAsync(token);
            Task first = await Task.WhenAny(readLoop, updateLoop).ConfigureAwait(false);
            await first.ConfigureAwait(false);
        }
        catch (RfbProtocolException ex)
        {
            TrySetEndReason(SessionEndReason.ProtocolError, ": " + ex.Message);
        }
        catch (OperationCanceledException)
        {
            TrySetEndReason(SessionEndReason.ServerStopping, null);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            TrySetEndReason(SessionEndReason.TransportError, ": " + ex.Message);
        }
        catch (Exception ex)
        {
            // Anything else is the server's own failure (an encoder's, say): it ends this session
            // only, with its connection closed below, instead of leaving the client waiting.
            RfbLog.SessionFailed(_logger, Id, Remote, ex);
            TrySetEndReason(SessionEndReason.InternalError, ": " + ex.Message);
        }
        finally
        {
            if (subscribed)
            {
                _desktop.Updated -= _onDesktopChanged;
            }

            TrySetEndReason(SessionEndReason.ClientClosed, null);
            _closing.Cancel();
            if (updateLoop is not null)
            {
                try
                {
                    await updateLoop.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or RfbProtocolException or System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    // The end reason was recorded by whichever loop stopped first.
                }
                catch (Exception ex)
                {
                    // The update loop's own failure: logged above when it ended the session, here
                    // when the read loop had ended it first. Either way the closing below must run.
                    if (EndReason != SessionEndReason.InternalError)
                    {
                        RfbLog.SessionFailed(_logger, Id, Remote, ex);
                    }
                }
            }

            // Completing without an exception lets what was written (a failure reason) reach the
            // client before the transport closes; why the session ended is logged below.
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
            foreach (IRectangleEncoder encoder in _encoders.Values)
            {
                encoder.Dispose();
            }

            // _closing is not disposed: Close may still be called by the server after the end, and
            // a token source without timers holds nothing that needs releasing.
            RfbLog.SessionEnded(_logger, Id, Remote, EndReason!.Value, _endDetail ?? string.Empty);
        }
    }

    private bool TrySetEndReason(SessionEndReason reason, string? detail)
    {
        if (Interlocked.CompareExchange(ref _endReason, (int)reason, -1) == -1)
        {
            _endDetail = detail;
            return true;
        }

        return false;
    }

    // ----------------------------------------------------------------------------------------
    // Handshake (RFC 6143 §7.1 and §7.3.1)
    // ----------------------------------------------------------------------------------------

    private async Task<bool> HandshakeAsync(CancellationToken token)
    {
        _output.Write(ProtocolVersionMessage.ServerOffer);
        await FlushAsync(token).ConfigureAwait(false);

        ReadOnlySequence<byte> versionBytes = await ReadAsync(ProtocolVersionMessage.Length, token).ConfigureAwait(false);
        ReadOnlySequence<byte> consumed = versionBytes;
        string offered = Encoding.ASCII.GetString(versionBytes.Slice(0, ProtocolVersionMessage.Length)).TrimEnd('\n');
        try
        {
            ProtocolVersionMessage.TryRead(ref consumed, out _version, out bool known);
            if (!known)
            {
                RfbLog.UnknownVersion(_logger, Id, offered);
            }
        }
        finally
        {
            _input.AdvanceTo(versionBytes.GetPosition(ProtocolVersionMessage.Length));
        }

        RfbLog.VersionNegotiated(_logger, Id, _version switch { ProtocolVersion.V3_3 => "3.3", ProtocolVersion.V3_7 => "3.7", _ => "3.8" });

        AuthenticationThrottle throttle = _server.Throttle;
        if (Address is not null && throttle.IsBlocked(Address, out TimeSpan remaining))
        {
            RfbLog.AddressBlocked(_logger, Remote, remaining);
            string reason = $"Too many authentication failures from this address; try again in {Math.Ceiling(remaining.TotalSeconds)} s.";
            if (_version == ProtocolVersion.V3_3)
            {
                ServerMessageWriter.WriteUInt32(_output, SecurityTypeInvalid);
            }
            else
            {
                ServerMessageWriter.WriteSecurityTypes(_output, ReadOnlySpan<byte>.Empty);
            }

            ServerMessageWriter.WriteReason(_output, reason);
            await FlushAsync(token).ConfigureAwait(false);
            TrySetEndReason(SessionEndReason.AuthenticationFailed, ": address blocked");
            return false;
        }

        VncPassword? password = _options.Password;
        byte offeredType = password is null ? (byte)SecurityTypeNone : (byte)SecurityTypeVncAuthentication;
        if (_version == ProtocolVersion.V3_3)
        {
            ServerMessageWriter.WriteUInt32(_output, offeredType);
            await FlushAsync(token).ConfigureAwait(false);
        }
        else
        {
            ServerMessageWriter.WriteSecurityTypes(_output, [offeredType]);
            await FlushAsync(token).ConfigureAwait(false);
            byte chosen = await ReadByteAsync(token).ConfigureAwait(false);
            if (chosen != offeredType)
            {
                string reason = $"Security type {chosen} was not offered; this server offers {offeredType}.";
                if (_version == ProtocolVersion.V3_8)
                {
                    ServerMessageWriter.WriteUInt32(_output, 1);
                    ServerMessageWriter.WriteReason(_output, reason);
                    await FlushAsync(token).ConfigureAwait(false);
                }

                throw new RfbProtocolException(reason);
            }
        }

        if (password is not null)
        {
            byte[] challenge = VncAuthentication.CreateChallenge();
            _output.Write(challenge);
            await FlushAsync(token).ConfigureAwait(false);
            ReadOnlySequence<byte> responseBytes = await ReadAsync(16, token).ConfigureAwait(false);
            byte[] response = responseBytes.Slice(0, 16).ToArray();
            _input.AdvanceTo(responseBytes.GetPosition(16));
            if (!VncAuthentication.Verify(challenge, response, password))
            {
                if (Address is not null)
                {
                    throttle.RecordFailure(Address);
                }

                RfbLog.AuthenticationFailed(_logger, Id, Remote);
                ServerMessageWriter.WriteUInt32(_output, 1);
                if (_version == ProtocolVersion.V3_8)
                {
                    ServerMessageWriter.WriteReason(_output, "Authentication failed: wrong password.");
                }

                await FlushAsync(token).ConfigureAwait(false);
                TrySetEndReason(SessionEndReason.AuthenticationFailed, ": wrong password");
                return false;
            }

            if (Address is not null)
            {
                throttle.RecordSuccess(Address);
            }

            ServerMessageWriter.WriteUInt32(_output, 0);
            await FlushAsync(token).ConfigureAwait(false);
        }
        else if (_version == ProtocolVersion.V3_8)
        {
            ServerMessageWriter.WriteUInt32(_output, 0);
            await FlushAsync(token).ConfigureAwait(false);
        }

        // ClientInit: u8 shared-flag.
        Shared = await ReadByteAsync(token).ConfigureAwait(false) != 0;
        return true;
    }

    private void WriteServerInit()
    {
        DesktopLayout layout = _desktop.Layout;
        _clientWidth = ClampToWire(layout.Width);
        _clientHeight = ClampToWire(layout.Height);
        ServerMessageWriter.WriteServerInit(_output, _clientWidth, _clientHeight, PixelFormat.Canonical, _server.DesktopName);
    }

    private async ValueTask<ReadOnlySequence<byte>> ReadAsync(int count, CancellationToken token)
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync(token).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                return buffer;
            }

            if (result.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                throw new OperationCanceledException(token);
            }

            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                throw new EndOfStreamException($"The client closed the connection during the handshake ({buffer.Length} of {count} bytes).");
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async ValueTask<byte> ReadByteAsync(CancellationToken token)
    {
        ReadOnlySequence<byte> buffer = await ReadAsync(1, token).ConfigureAwait(false);
        byte value = buffer.FirstSpan[0];
        _input.AdvanceTo(buffer.GetPosition(1));
        return value;
    }

    private async ValueTask FlushAsync(CancellationToken token)
    {
        ValueTask<FlushResult> flush = _output.FlushAsync(token);
        FlushResult result = flush.IsCompletedSuccessfully ? flush.Result : await flush.ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException(token);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Read loop: client messages (RFC 6143 §7.5)
    // ----------------------------------------------------------------------------------------

    private async Task ReadLoopAsync(CancellationToken token)
    {
        ClientMessageLimits limits = _options.MessageLimits;
        while (true)
        {
            ReadResult result = await _input.ReadAsync(token).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                while (ClientMessageReader.TryRead(ref buffer, limits, out ClientMessage message, _capabilities.ExtendedDesktopSize))
                {
                    Handle(message);
                }

                if (result.IsCanceled)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        TrySetEndReason(SessionEndReason.ClientClosed, $": {buffer.Length} bytes of a truncated message were left");
                    }
                    else
                    {
                        TrySetEndReason(SessionEndReason.ClientClosed, null);
                    }

                    return;
                }
            }
            finally
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private void Handle(in ClientMessage message)
    {
        switch (message.Kind)
        {
            case ClientMessageKind.SetPixelFormat:
                lock (_stateLock)
                {
                    _format = message.PixelFormat;
                    _translator = null;
                }

                RfbLog.PixelFormatSet(_logger, Id, message.PixelFormat.ToString());
                break;

            case ClientMessageKind.SetEncodings:
                var capabilities = ClientCapabilities.From(message.Encodings!);
                lock (_stateLock)
                {
                    _qemuKeyAckPending |= capabilities.QemuExtendedKeyEvent && !_capabilities.QemuExtendedKeyEvent;
                    _desktopNamePending |= capabilities.DesktopName && !_capabilities.DesktopName;
                    _extendedDesktopSizePending |= capabilities.ExtendedDesktopSize && !_capabilities.ExtendedDesktopSize;
                    _capabilities = capabilities;
                }

                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    RfbLog.EncodingsSet(_logger, Id, string.Join(",", message.Encodings!));
                }

                _wake.Set();
                break;

            case ClientMessageKind.FramebufferUpdateRequest:
                lock (_stateLock)
                {
                    _requested = true;
                    _requestSerial++;
                    if (message.Incremental)
                    {
                        _incrementalArea = _incrementalArea.Union(message.Rect);
                    }
                    else
                    {
                        _fullArea = _fullArea.Union(message.Rect);
                    }
                }

                _wake.Set();
                break;

            case ClientMessageKind.KeyEvent:
                CallHost(InputHead(), static (h, m) => h.OnKey(m.Keysym, 0, m.Down), message);
                break;

            case ClientMessageKind.QemuExtendedKeyEvent:
                CallHost(InputHead(), static (h, m) => h.OnKey(m.Keysym, m.Scancode, m.Down), message);
                break;

            case ClientMessageKind.PointerEvent:
                HandlePointer(message);
                break;

            case ClientMessageKind.ClientCutText:
                CallHost(InputHead(), static (h, m) => h.OnClipboard(m.Text!), message);
                break;

            case ClientMessageKind.SetDesktopSize:
                DesktopSizeStatus status = _server.RequestLayout(this, message.DesktopSize!);
                lock (_stateLock)
                {
                    _layoutReply = status;
                }

                _wake.Set();
                break;
        }
    }

    /// <summary>
    /// Sends the pointer to the head under it, in that head's pixels. Over a black area, or past
    /// the framebuffer, it goes to the head it was last over, clamped to that head's edges.
    /// </summary>
    private void HandlePointer(in ClientMessage message)
    {
        DesktopLayout layout = _desktop.Layout;
        DesktopPlacement? under = layout.HeadAt(message.Rect.X, message.Rect.Y);
        if (under is null)
        {
            DesktopHead? last = _inputHead;
            under = last is null ? null : layout.Find(last.ScreenId);
            under ??= layout.Heads.Count > 0 ? layout.Heads[0] : null;
        }

        if (under is not { } p)
        {
            return;
        }

        _inputHead = p.Head;
        int x = Math.Clamp(message.Rect.X - p.Bounds.X, 0, Math.Max(0, p.Bounds.Width - 1));
        int y = Math.Clamp(message.Rect.Y - p.Bounds.Y, 0, Math.Max(0, p.Bounds.Height - 1));
        ClientMessage local = message with { Rect = new PixelRect(x, y, 1, 1) };
        CallHost(p.Head, static (h, m) => h.OnPointer(m.Rect.X, m.Rect.Y, m.ButtonMask), local);
    }

    /// <summary>Keys and clipboard go to the head the pointer was last over (the first head before that).</summary>
    private DesktopHead? InputHead()
    {
        DesktopHead? head = _inputHead;
        if (head is not null && head.IsAttached)
        {
            return head;
        }

        DesktopLayout layout = _desktop.Layout;
        return layout.Heads.Count > 0 ? layout.Heads[0].Head : null;
    }

    private void CallHost(DesktopHead? head, Action<IConsoleHost, ClientMessage> call, in ClientMessage message)
    {
        if (head is null)
        {
            return;
        }

        try
        {
            call(head.Console.Host, message);
        }
        catch (Exception ex)
        {
            // The host is the emulator's code; its failure must not end the client's session.
            LogHostFailed(_logger, Id, ex);
        }
    }

    [LoggerMessage(100, LogLevel.Error, "Session {SessionId}: the console host threw while handling input")]
    private static partial void LogHostFailed(ILogger logger, long sessionId, Exception exception);

    // ----------------------------------------------------------------------------------------
    // Update loop: the only writer after the handshake
    // ----------------------------------------------------------------------------------------

    private async Task UpdateLoopAsync(CancellationToken token)
    {
        while (true)
        {
            await _wake.WaitAsync(token).ConfigureAwait(false);
            if (!WritePending())
            {
                continue;
            }

            using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            sendTimeout.CancelAfter(_options.SendTimeout);
            try
            {
                await FlushAsync(sendTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                Close(SessionEndReason.SendTimeout, $": an update was not taken within {_options.SendTimeout.TotalSeconds:0.#} s");
                return;
            }
        }
    }

    /// <summary>Writes whatever is due (bells, cut text, a framebuffer update). Returns whether anything was written.</summary>
    private bool WritePending()
    {
        int bells;
        string? cutText;
        bool requested;
        long requestSerial;
        PixelRect incremental, full;
        UpdateExtras extras;
        long otherClientLayout;
        PixelTranslator translator;
        ClientCapabilities capabilities;
        lock (_stateLock)
        {
            bells = _pendingBells;
            cutText = _pendingCutText;
            _pendingBells = 0;
            _pendingCutText = null;
            requested = _requested;
            requestSerial = _requestSerial;
            incremental = _incrementalArea;
            full = _fullArea;
            extras = new UpdateExtras(_qemuKeyAckPending, _desktopNamePending, _extendedDesktopSizePending, _layoutReply);
            otherClientLayout = _otherClientLayoutPending ? long.MaxValue : _otherClientLayoutGeneration;
            translator = _translator ??= new PixelTranslator(_format);
            capabilities = _capabilities;
        }

        bool wrote = false;
        for (int i = 0; i < bells; i++)
        {
            ServerMessageWriter.WriteBell(_output);
            wrote = true;
        }

        if (cutText is not null)
        {
            ServerMessageWriter.WriteServerCutText(_output, cutText);
            wrote = true;
        }

        if (!requested)
        {
            return wrote;
        }

        if (WriteFramebufferUpdate(incremental, full, extras, otherClientLayout, translator, capabilities)
            || WriteLosslessRefreshIfDue(incremental, translator, capabilities))
        {
            lock (_stateLock)
            {
                if (_requestSerial == requestSerial)
                {
                    _requested = false;
                    _incrementalArea = default;
                    _fullArea = default;
                }

                _qemuKeyAckPending &= !extras.QemuKeyAck;
                _desktopNamePending &= !extras.DesktopName;
                _extendedDesktopSizePending &= !extras.ExtendedDesktopSize;
                if (_layoutReply == extras.LayoutReply)
                {
                    _layoutReply = null;
                }
            }

            return true;
        }

        // Nothing to send yet: ask the console to refresh as soon as damage is pending.
        foreach (DesktopPlacement p in _desktop.Layout.Heads)
        {
            p.Head.Console.RequestRefresh();
        }

        return wrote;
    }

    /// <summary>RFB sizes are 16-bit; a larger desktop is shown up to 65535 pixels.</summary>
    private static int ClampToWire(int size) => Math.Min(size, ushort.MaxValue);

    private readonly record struct UpdateExtras(bool QemuKeyAck, bool DesktopName, bool ExtendedDesktopSize, DesktopSizeStatus? LayoutReply);
}
