using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Rfb.Transports;

/// <summary>
/// Settings of the WebSocket endpoint (RFC 6455), through which browsers (noVNC) reach the same
/// sessions as TCP clients. It is off until an endpoint is added to <see cref="Endpoints"/>.
/// </summary>
public sealed class WebSocketTransportOptions
{
    /// <summary>The usual port of the WebSocket endpoint, 5700.</summary>
    public const int DefaultPort = 5700;

    /// <summary>The usual WebSocket endpoint, <c>127.0.0.1:5700</c>.</summary>
    public static IPEndPoint DefaultEndpoint => new(IPAddress.Loopback, DefaultPort);

    /// <summary>Where the WebSocket endpoint listens. Empty by default: no WebSocket listener.</summary>
    public IList<IPEndPoint> Endpoints { get; } = new List<IPEndPoint>();

    /// <summary>
    /// Request paths that accept the upgrade (default <c>/websockify</c>, noVNC's default, and
    /// <c>/</c>). Compared with the path without its query.
    /// </summary>
    public IList<string> Paths { get; } = new List<string> { "/websockify", "/" };

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>, as browsers send them) allowed to upgrade. Empty, the
    /// default, means same-origin: the Origin header's host and port must equal the Host header's.
    /// <c>*</c> allows any origin. A request without an Origin header (not a browser) is always
    /// allowed; a refused origin gets 403.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = new List<string>();

    /// <summary>
    /// A folder whose files are served to GET requests that are not upgrades (the web client, for
    /// example noVNC). Null, the default, serves no files. <c>/</c> serves <c>index.html</c>.
    /// </summary>
    public string? StaticFilesRoot { get; set; }

    /// <summary>
    /// A certificate (with its private key) for TLS on this endpoint: browsers then use
    /// <c>wss://</c> and <c>https://</c>. Load one with <see cref="TlsCertificate.Load"/>. Null: plain.
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Largest WebSocket message the client may send (default 2 MiB: room for a 1 MiB
    /// ClientCutText). A larger one closes the connection with status 1009 (message too big). A
    /// message is handed to the session only once its last fragment has arrived, so up to this
    /// many bytes are held per connection meanwhile, and none of a message over the limit is seen.
    /// </summary>
    public int MaxMessageSize { get; set; } = 2 * 1024 * 1024;

    /// <summary>Interval of the server's pings (default 30 s); <see cref="TimeSpan.Zero"/> turns them off.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may wait for its pong before the connection is dropped (default 30 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the server waits for the client's close frame after sending its own (default 2 s).</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most HTTP connections (file requests, upgrades in progress) at once (default 64).</summary>
    public int MaxHttpConnections { get; set; } = 64;

    /// <summary>Limits on request heads: line lengths, header count, and the time a head may take.</summary>
    public HttpRequestLimits RequestLimits { get; } = new();
}
