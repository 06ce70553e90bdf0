namespace Rfb.Transports;

/// <summary>
/// The head of one HTTP/1.x request as read by <see cref="HttpRequestReader"/>: method, target
/// and headers. The transport only needs GET (files and the WebSocket upgrade), so bodies are
/// never read.
/// </summary>
internal sealed class HttpRequest
{
    public HttpRequest(string method, string target, int minorVersion, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Method = method;
        Target = target;
        MinorVersion = minorVersion;
        Headers = headers;
        int query = target.IndexOf('?', StringComparison.Ordinal);
        Path = query < 0 ? target : target[..query];
        Query = query < 0 ? string.Empty : target[query..];
    }

    /// <summary>The method token as sent (methods are case-sensitive).</summary>
    public string Method { get; }

    /// <summary>The request target in origin form (<c>/path?query</c>).</summary>
    public string Target { get; }

    /// <summary>The target up to the query, still percent-encoded.</summary>
    public string Path { get; }

    /// <summary>The query including its <c>?</c>, or empty.</summary>
    public string Query { get; }

    /// <summary>1 for HTTP/1.1, 0 for HTTP/1.0.</summary>
    public int MinorVersion { get; }

    /// <summary>Header fields in the order received, values trimmed of surrounding whitespace.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The value of a header field, or null; several fields of one name are joined with ", " (RFC 9110 §5.3).</summary>
    public string? this[string name]
    {
        get
        {
            string? value = null;
            foreach (KeyValuePair<string, string> header in Headers)
            {
                if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = value is null ? header.Value : value + ", " + header.Value;
                }
            }

            return value;
        }
    }

    /// <summary>Whether a comma-separated header field lists <paramref name="token"/> (case-insensitive).</summary>
    public bool HasToken(string name, string token)
    {
        string? value = this[name];
        if (value is null)
        {
            return false;
        }

        foreach (string part in value.Split(','))
        {
            if (string.Equals(part.Trim(), token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the connection may serve another request after this one (RFC 9112 §9.3).</summary>
    public bool KeepAlive => MinorVersion >= 1 ? !HasToken("Connection", "close") : HasToken("Connection", "keep-alive");
}
