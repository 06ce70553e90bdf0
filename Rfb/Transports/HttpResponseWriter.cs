using System.Text;

namespace Rfb.Transports;

/// <summary>Writes HTTP/1.1 response heads and small error responses.</summary>
internal static class HttpResponseWriter
{
    public static string ReasonPhrase(int status) => status switch
    {
        101 => "Switching Protocols",
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };

    /// <summary>The status line and headers, ending with the empty line.</summary>
    public static byte[] Head(int status, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var text = new StringBuilder();
        text.Append("HTTP/1.1 ").Append(status).Append(' ').Append(ReasonPhrase(status)).Append("\r\n");
        foreach (KeyValuePair<string, string> header in headers)
        {
            text.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
        }

        text.Append("\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>An error response with a one-line text body; the connection closes after it.</summary>
    public static byte[] Error(int status, string reason)
    {
        byte[] body = Encoding.UTF8.GetBytes($"{status} {ReasonPhrase(status)}: {reason}\n");
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Content-Type", "text/plain; charset=utf-8"),
            new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Connection", "close"),
        };
        if (status == 426)
        {
            headers.Add(new("Upgrade", "websocket"));
            headers.Add(new("Sec-WebSocket-Version", "13"));
        }

        byte[] head = Head(status, headers);
        var response = new byte[head.Length + body.Length];
        head.CopyTo(response, 0);
        body.CopyTo(response, head.Length);
        return response;
    }
}
