namespace Rfb.Transports;

/// <summary>Limits on one HTTP request head on the WebSocket endpoint; a request over any of them is refused.</summary>
public sealed class HttpRequestLimits
{
    /// <summary>Longest request line (method, target, version), without its CRLF (default 8 KiB); longer gets 414.</summary>
    public int MaxRequestLineLength { get; set; } = 8 * 1024;

    /// <summary>Longest header line, without its CRLF (default 8 KiB); longer gets 431.</summary>
    public int MaxHeaderLineLength { get; set; } = 8 * 1024;

    /// <summary>Most header fields in one request (default 64); more gets 431.</summary>
    public int MaxHeaderCount { get; set; } = 64;

    /// <summary>
    /// Time for a whole request head to arrive, counted from the moment the server starts waiting
    /// for it (default 10 s). A client that trickles bytes (slowloris) is answered 408 and closed.
    /// </summary>
    public TimeSpan RequestHeadTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
