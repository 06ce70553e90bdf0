using System.IO.Pipelines;
using System.Net;
using ConsoleBridge;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rfb.Logging;
using Rfb.Protocol;
using Rfb.Security;
using Rfb.Sessions;
using Rfb.Transports;

namespace Rfb;

/// <summary>
/// A VNC (RFB 3.3/3.7/3.8) server showing a <see cref="Desktop"/> of one or more heads (or a single
/// <see cref="DisplayConsole"/>) to any number of clients. <see cref="StartAsync"/> opens the TCP listeners of <see cref="RfbServerOptions.Endpoints"/>
/// and the WebSocket listeners of <see cref="RfbServerOptions.WebSocket"/>;
/// <see cref="StopAsync"/> closes them and every session, logging why each ended.
/// </summary>
public sealed partial class RfbServer : IAsyncDisposable
{
    private readonly Desktop _desktop;
    private readonly bool _ownsDesktop;
    private readonly object _layoutLock = new();
    private readonly RfbServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly object _sessionsLock = new();
    private readonly Dictionary<RfbSession, Task> _sessions = new();
    private readonly List<TcpTransport> _listeners = new();
    private readonly List<WebSocketTransport> _webSocketListeners = new();
    private long _nextSessionId;
    private string _desktopName;
    private bool _stopping;

    /// <summary>A server showing one console: a desktop of one head at the origin.</summary>
    public RfbServer(DisplayConsole console, RfbServerOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(new Desktop(console ?? throw new ArgumentNullException(nameof(console))), options, loggerFactory)
    {
        _ownsDesktop = true;
    }

    /// <summary>
    /// A server showing every head of <paramref name="desktop"/> as one framebuffer. Clients that
    /// announce ExtendedDesktopSize see one screen per head and may ask for another layout.
    /// </summary>
    public RfbServer(Desktop desktop, RfbServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _desktop = desktop ?? throw new ArgumentNullException(nameof(desktop));
        _options = options ?? new RfbServerOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Rfb.Server");
        _desktopName = _options.DesktopName;
        Throttle = new AuthenticationThrottle(_options.AuthenticationThrottle);
        WarmUp = _options.WarmUpEncoders ? EncoderWarmUp.StartOnce(_logger) : Task.CompletedTask;
    }

    /// <summary>
    /// Completes when the process's start-up warm-up (<see cref="RfbServerOptions.WarmUpEncoders"/>)
    /// has finished; at once when it is off. The warm-up runs in the background whether or not
    /// this is awaited, and clients may connect meanwhile; a program that wants its first client's
    /// first updates at full speed can await it before it lets clients in. It never fails (a
    /// failure of the warm-up is logged as a warning).
    /// </summary>
    public Task WarmUp { get; }

    /// <summary>The addresses the listeners are bound to (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndpoints
    {
        get
        {
            lock (_sessionsLock)
            {
                return _listeners.Select(l => l.LocalEndPoint).ToArray();
            }
        }
    }

    /// <summary>The addresses the WebSocket listeners are bound to (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<IPEndPoint> WebSocketEndpoints
    {
        get
        {
            lock (_sessionsLock)
            {
                return _webSocketListeners.Select(l => l.LocalEndPoint).ToArray();
            }
        }
    }

    /// <summary>Clients connected now (past the handshake or in it).</summary>
    public int SessionCount
    {
        get
        {
            lock (_sessionsLock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>The desktop name; changing it tells clients that support the DesktopName pseudo-encoding.</summary>
    public string DesktopName
    {
        get => Volatile.Read(ref _desktopName);
        set
        {
            Volatile.Write(ref _desktopName, value ?? string.Empty);
            ForEachSession(static s => s.DesktopNameChanged());
        }
    }

    internal AuthenticationThrottle Throttle { get; }

    /// <summary>The desktop the clients see.</summary>
    public Desktop Desktop => _desktop;

    /// <summary>Binds every endpoint and starts accepting clients.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_sessionsLock)
        {
            if (_listeners.Count > 0 || _webSocketListeners.Count > 0)
            {
                throw new InvalidOperationException("The server is already started.");
            }

            try
            {
                foreach (IPEndPoint endpoint in _options.Endpoints)
                {
                    var listener = new TcpTransport(this, endpoint, _logger, _options.TlsCertificate, _options.HandshakeTimeout);
                    _listeners.Add(listener);
                    RfbLog.Listening(_logger, listener.LocalEndPoint);
                }

                foreach (IPEndPoint endpoint in _options.WebSocket.Endpoints)
                {
                    _webSocketListeners.Add(new WebSocketTransport(this, endpoint, _options.WebSocket, _logger));
                }
            }
            catch
            {
                CloseListenersUnsynchronized();
                throw;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Rings the bell on every client.</summary>
    public void Bell() => ForEachSession(static s => s.Bell());

    /// <summary>Sends clipboard text to every client (RFB cut text is Latin-1; other characters become '?').</summary>
    public void SendClipboard(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ForEachSession(s => s.SendCutText(text));
    }

    /// <summary>Stops listening and closes every session with <see cref="SessionEndReason.ServerStopping"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task[] running;
        lock (_sessionsLock)
        {
            _stopping = true;
            CloseListenersUnsynchronized();
            running = _sessions.Values.ToArray();
            RfbLog.Stopping(_logger, _sessions.Count);
            foreach (RfbSession s in _sessions.Keys)
            {
                s.Close(SessionEndReason.ServerStopping);
            }
        }

        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void CloseListenersUnsynchronized()
    {
        foreach (TcpTransport l in _listeners)
        {
            l.Dispose();
        }

        foreach (WebSocketTransport l in _webSocketListeners)
        {
            l.Dispose();
        }

        _listeners.Clear();
        _webSocketListeners.Clear();
    }


    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_ownsDesktop)
        {
            _desktop.Dispose();
        }
    }

    /// <summary>
    /// A client's SetDesktopSize: judged and handed to the hosts one request at a time. When the
    /// hosts changed the layout before answering, every other client is told with reason 2.
    /// </summary>
    internal DesktopSizeStatus RequestLayout(RfbSession requester, SetDesktopSizeRequest request)
    {
        DesktopSizeStatus status;
        string? reason;
        long before, after;
        lock (_layoutLock)
        {
            ForEachSession(s =>
            {
                if (s != requester)
                {
                    s.OtherClientLayoutStarting();
                }
            });
            before = _desktop.Layout.Generation;
            try
            {
                status = DesktopLayoutRequest.Apply(_desktop, request, out reason);
            }
            catch (Exception ex)
            {
                // The hosts are the emulator's code; a failure is the client's "out of resources".
                LogLayoutHostFailed(_logger, requester.Id, ex);
                status = DesktopSizeStatus.OutOfResources;
                reason = "the host failed";
            }

            after = _desktop.Layout.Generation;
        }

        LogLayoutRequested(_logger, requester.Id, request.Width, request.Height, request.Screens.Length, status, reason ?? string.Empty);
        ForEachSession(s =>
        {
            if (s != requester)
            {
                if (after != before)
                {
                    s.LayoutChangedByOtherClient(after);
                }
                else
                {
                    s.OtherClientLayoutDone();
                }
            }
        });

        return status;
    }

    /// <summary>The sessions running now (for the warm-up and tests).</summary>
    internal RfbSession[] Sessions()
    {
        lock (_sessionsLock)
        {
            return _sessions.Keys.ToArray();
        }
    }

    /// <summary>
    /// Runs one client over a connected transport until it ends. Transports call this for each
    /// accepted connection; tests call it with in-memory pipes.
    /// </summary>
    internal Task RunSessionAsync(IDuplexPipe transport, string remote, IPAddress? address)
    {
        RfbSession session;
        Task task;
        lock (_sessionsLock)
        {
            if (_stopping)
            {
                transport.Input.Complete();
                transport.Output.Complete();
                return Task.CompletedTask;
            }

            if (_sessions.Count >= _options.MaxConnections)
            {
                RfbLog.TooManyConnections(_logger, remote, _sessions.Count, _options.MaxConnections);
                transport.Input.Complete();
                transport.Output.Complete();
                return Task.CompletedTask;
            }

            long id = ++_nextSessionId;
            session = new RfbSession(id, this, _desktop, _options, transport, remote, address, _loggerFactory.CreateLogger("Rfb.Session"));
            RfbLog.ClientConnected(_logger, remote, id);
            task = RunAndForgetAsync(session);
            _sessions[session] = task;
        }

        return task;
    }

    private async Task RunAndForgetAsync(RfbSession session)
    {
        await Task.Yield();
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (_sessionsLock)
            {
                _sessions.Remove(session);
            }
        }
    }

    /// <summary>
    /// Applies the sharing policy once a client has sent ClientInit. Returns false when the
    /// client must be refused; may close other sessions.
    /// </summary>
    internal bool Admit(RfbSession session)
    {
        if (session.Shared)
        {
            return true;
        }

        lock (_sessionsLock)
        {
            var others = _sessions.Keys.Where(s => s != session && s.EndReason is null).ToList();
            if (others.Count == 0)
            {
                return true;
            }

            if (_options.SharingPolicy == SharingPolicy.RefuseNonShared)
            {
                return false;
            }

            foreach (RfbSession other in others)
            {
                other.Close(SessionEndReason.ReplacedByExclusiveClient, $": session {session.Id} asked for exclusive access");
            }

            return true;
        }
    }

    private void ForEachSession(Action<RfbSession> action)
    {
        RfbSession[] sessions;
        lock (_sessionsLock)
        {
            sessions = _sessions.Keys.ToArray();
        }

        foreach (RfbSession s in sessions)
        {
            action(s);
        }
    }

    [LoggerMessage(200, LogLevel.Information, "Session {SessionId} asked for a {Width}x{Height} desktop of {Screens} screens: {Status} {Reason}")]
    private static partial void LogLayoutRequested(ILogger logger, long sessionId, int width, int height, int screens, DesktopSizeStatus status, string reason);

    [LoggerMessage(201, LogLevel.Error, "Session {SessionId}: a host threw while applying a requested layout")]
    private static partial void LogLayoutHostFailed(ILogger logger, long sessionId, Exception exception);
}
