using System.Security.Cryptography;
using System.Text;

namespace Rfb.Transports;

/// <summary>The server's side of the RFC 6455 §4.2 opening handshake, without I/O.</summary>
internal static class WebSocketHandshake
{
    // RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key before hashing.
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Whether the request asks for a WebSocket (its Upgrade header lists <c>websocket</c>).</summary>
    public static bool IsUpgrade(HttpRequest request) => request.HasToken("Upgrade", "websocket");

    /// <summary>Sec-WebSocket-Accept: base64 of the SHA-1 of the key and the GUID (RFC 6455 §4.2.2).</summary>
    public static string ComputeAccept(string key)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(Encoding.ASCII.GetBytes(key + KeyGuid), hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>
    /// Checks an upgrade request (RFC 6455 §4.2.1) and its origin. Returns the subprotocol to
    /// answer with (<c>binary</c> when offered, else null) and the key's accept value.
    /// </summary>
    public static (string? SubProtocol, string Accept) Accept(HttpRequest request, WebSocketTransportOptions options, bool secure)
    {
        if (request.Method != "GET")
        {
            throw new BadHttpRequestException(405, "a WebSocket upgrade must be a GET");
        }

        if (request.MinorVersion < 1)
        {
            throw new BadHttpRequestException(400, "a WebSocket upgrade needs HTTP/1.1");
        }

        if (!options.Paths.Contains(request.Path))
        {
            throw new BadHttpRequestException(404, $"no WebSocket endpoint at {request.Path}");
        }

        string? host = request["Host"];
        if (string.IsNullOrEmpty(host))
        {
            throw new BadHttpRequestException(400, "no Host header");
        }

        if (!request.HasToken("Connection", "Upgrade"))
        {
            throw new BadHttpRequestException(400, "the Connection header does not list Upgrade");
        }

        if (request["Sec-WebSocket-Version"] != "13")
        {
            throw new BadHttpRequestException(426, "only WebSocket version 13 is supported");
        }

        string? key = request["Sec-WebSocket-Key"];
        Span<byte> nonce = stackalloc byte[18];
        if (key is null || key.Length != 24 || !Convert.TryFromBase64String(key, nonce, out int length) || length != 16)
        {
            throw new BadHttpRequestException(400, "Sec-WebSocket-Key is not 16 bytes in base64");
        }

        string? origin = request["Origin"];
        if (origin is not null && !IsOriginAllowed(origin, host, options, secure))
        {
            throw new BadHttpRequestException(403, $"origin {origin} is not allowed");
        }

        string? subProtocol = request.HasToken("Sec-WebSocket-Protocol", "binary") ? "binary" : null;
        return (subProtocol, ComputeAccept(key));
    }

    /// <summary>
    /// An origin is allowed when listed (or <c>*</c> is listed); with an empty list, when its host
    /// and port equal the Host header's (same-origin). The literal origin "null" is never same-origin.
    /// </summary>
    public static bool IsOriginAllowed(string origin, string host, WebSocketTransportOptions options, bool secure)
    {
        if (options.AllowedOrigins.Count > 0)
        {
            foreach (string allowed in options.AllowedOrigins)
            {
                if (allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out Uri? originUri) || originUri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        if (!Uri.TryCreate((secure ? "https://" : "http://") + host, UriKind.Absolute, out Uri? hostUri) || hostUri.PathAndQuery != "/")
        {
            return false;
        }

        return string.Equals(originUri.IdnHost, hostUri.IdnHost, StringComparison.OrdinalIgnoreCase) && originUri.Port == hostUri.Port;
    }
}
