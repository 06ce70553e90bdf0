using System.Net;
using System.Security.Cryptography.X509Certificates;
using Rfb.Protocol;
using Rfb.Security;
using Rfb.Transports;

namespace Rfb;

/// <summary>Settings of an <see cref="RfbServer"/>. Every limit here is enforced per connection.</summary>
public sealed class RfbServerOptions
{
    /// <summary>
    /// Where the TCP listener accepts VNC clients. Default <c>127.0.0.1:5900</c> only; add
    /// <see cref="IPAddress.IPv6Loopback"/> or <see cref="IPAddress.IPv6Any"/> (dual-stack) for IPv6.
    /// </summary>
    public IList<IPEndPoint> Endpoints { get; } = new List<IPEndPoint> { new(IPAddress.Loopback, 5900) };

    /// <summary>The desktop name sent in ServerInit and the DesktopName pseudo-encoding.</summary>
    public string DesktopName { get; set; } = "rfb";

    /// <summary>
    /// The VNC Authentication password; null means security type None. Set it from
    /// <see cref="VncPassword.FromFile(string)"/> or <c>new VncPassword("...")</c>.
    /// </summary>
    public VncPassword? Password { get; set; }

    /// <summary>Throttling of addresses that keep failing authentication.</summary>
    public AuthenticationThrottleOptions AuthenticationThrottle { get; set; } = new();

    /// <summary>What a non-shared ClientInit does to other clients (default: disconnect them, as RFC 6143 says).</summary>
    public SharingPolicy SharingPolicy { get; set; } = SharingPolicy.DisconnectOthers;

    /// <summary>
    /// Whether creating the process's first <see cref="RfbServer"/> warms up, on a thread-pool
    /// thread, the code a client's first updates run, so that the JIT compiles it before the first
    /// client needs it (default true): every encoder once over a small synthetic frame, the
    /// encoders that compress in parallel segments over a large one (text, a gradient, a
    /// 32-colour palette, noise), and two sessions of a private server over in-memory pipes, one
    /// with ZRLE and one with Tight at quality 8 (handshake, full updates, a scroll found by the
    /// console, small and scattered changes, the lossless refresh of JPEG areas).
    /// <see cref="RfbServer.WarmUp"/> completes when it is done, about 0.8 s after it started on
    /// a 2-core machine (100 ms of that waiting for the lossless refresh's timer). It takes about
    /// 0.8 s of CPU once (most of it compiling, which the first client would otherwise pay for)
    /// and 18 MB of short-lived allocations;
    /// without it the first updates of a process each wait for compiling (18–64 ms instead of
    /// about 3 ms on a recorded glxgears session with Tight; 27–54 ms instead of about 6 ms on the
    /// video trace with ZRLE).
    /// </summary>
    public bool WarmUpEncoders { get; set; } = true;

    /// <summary>Time from accept to the end of ClientInit (default 10 s).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest time one update may take to reach the socket once written (default 30 s). A client
    /// that stops reading for longer is disconnected; until then only its damage accumulates.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an area sent lossily (JPEG) must stay unchanged before it is sent again
    /// losslessly, which happens only when the client has a request outstanding and nothing else is
    /// due (an idle link). Default 300 ms; <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan LosslessRefreshDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Most clients at once (default 64); further connections are closed at once.</summary>
    public int MaxConnections { get; set; } = 64;

    /// <summary>Limits on client messages.</summary>
    public ClientMessageLimits MessageLimits { get; } = new();

    /// <summary>
    /// The WebSocket endpoint for browsers (noVNC): off until an endpoint is added to its
    /// <see cref="WebSocketTransportOptions.Endpoints"/> (usually <see cref="WebSocketTransportOptions.DefaultEndpoint"/>).
    /// </summary>
    public WebSocketTransportOptions WebSocket { get; } = new();

    /// <summary>
    /// A certificate (with its private key) for TLS on the VNC TCP port: every connection is TLS
    /// first, with RFB inside, as through stunnel. Null, the default, is plain RFB. Load one with
    /// <see cref="TlsCertificate.Load"/>. TLS on the WebSocket endpoint is set in <see cref="WebSocket"/>.
    /// </summary>
    public X509Certificate2? TlsCertificate { get; set; }

    /// <summary>For tests: run by a session after it has planned an update and before it encodes it (no lock held).</summary>
    internal Action? AfterUpdatePlannedForTests { get; set; }

    /// <summary>For tests: makes a session's encoder for an encoding instead of the catalogue (null: the catalogue's).</summary>
    internal Func<int, Rfb.Encodings.IRectangleEncoder?>? EncoderFactoryForTests { get; set; }
}
