using System.Buffers;
using System.Text;

namespace Rfb.Transports;

/// <summary>
/// Parses an HTTP/1.x request head without I/O. Every line is checked against its limit before it
/// is sliced, so a client cannot make the server buffer more than the limits allow.
/// </summary>
internal static class HttpRequestReader
{
    // RFC 9112 §2.1, §3 and §5:
    //   request-line = method SP request-target SP HTTP-version CRLF
    //   field-line   = field-name ":" OWS field-value OWS CRLF
    //   ... and an empty line (CRLF) ends the head.
    // Bare LF, obsolete line folding and whitespace before the colon are refused (§2.2, §5.1, §5.2).

    /// <summary>
    /// Reads one request head from the start of <paramref name="buffer"/>. Returns false when more
    /// bytes are needed (nothing is consumed); on success <paramref name="buffer"/> is what follows
    /// the head. Throws <see cref="BadHttpRequestException"/> on malformed or oversized input.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, HttpRequestLimits limits, out HttpRequest? request)
    {
        request = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!TryReadLine(ref reader, limits.MaxRequestLineLength, 414, "request line", out byte[] line))
        {
            return false;
        }

        (string method, string target, int minor) = ParseRequestLine(line);
        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            if (!TryReadLine(ref reader, limits.MaxHeaderLineLength, 431, "header line", out line))
            {
                return false;
            }

            if (line.Length == 0)
            {
                break;
            }

            if (headers.Count >= limits.MaxHeaderCount)
            {
                throw new BadHttpRequestException(431, $"more than {limits.MaxHeaderCount} header fields");
            }

            headers.Add(ParseField(line));
        }

        buffer = buffer.Slice(reader.Position);
        request = new HttpRequest(method, target, minor, headers);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, int limit, int status, string what, out byte[] line)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> withCr, (byte)'\n'))
        {
            line = Array.Empty<byte>();
            if (reader.Remaining > limit + 1)
            {
                throw new BadHttpRequestException(status, $"{what} longer than {limit} bytes");
            }

            return false;
        }

        if (withCr.Length > limit + 1)
        {
            throw new BadHttpRequestException(status, $"{what} longer than {limit} bytes");
        }

        if (withCr.IsEmpty || withCr.Slice(withCr.Length - 1).FirstSpan[0] != (byte)'\r')
        {
            throw new BadHttpRequestException(400, $"{what} ends in a bare LF");
        }

        line = withCr.Slice(0, withCr.Length - 1).ToArray();
        if (line.AsSpan().IndexOfAny((byte)'\r', (byte)0) >= 0)
        {
            throw new BadHttpRequestException(400, $"{what} holds a CR or NUL");
        }

        return true;
    }

    private static (string Method, string Target, int Minor) ParseRequestLine(byte[] line)
    {
        ReadOnlySpan<byte> span = line;
        int firstSpace = span.IndexOf((byte)' ');
        int lastSpace = span.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace == firstSpace || span[(firstSpace + 1)..lastSpace].Contains((byte)' '))
        {
            throw new BadHttpRequestException(400, "the request line is not 'method target version'");
        }

        ReadOnlySpan<byte> method = span[..firstSpace];
        ReadOnlySpan<byte> target = span[(firstSpace + 1)..lastSpace];
        ReadOnlySpan<byte> version = span[(lastSpace + 1)..];
        if (!IsToken(method))
        {
            throw new BadHttpRequestException(400, "the method is not a token");
        }

        if (target.IsEmpty || target[0] != (byte)'/' || target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0)
        {
            throw new BadHttpRequestException(400, "the request target is not an absolute path with an optional query");
        }

        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5]) || version[6] != (byte)'.' || !char.IsAsciiDigit((char)version[7]))
        {
            throw new BadHttpRequestException(400, "the request line has no HTTP version");
        }

        if (version[5] != (byte)'1')
        {
            throw new BadHttpRequestException(505, $"HTTP/{(char)version[5]}.{(char)version[7]} is not supported");
        }

        return (Encoding.ASCII.GetString(method), Encoding.ASCII.GetString(target), version[7] - '0');
    }

    private static KeyValuePair<string, string> ParseField(byte[] line)
    {
        ReadOnlySpan<byte> span = line;
        if (span[0] is (byte)' ' or (byte)'\t')
        {
            throw new BadHttpRequestException(400, "obsolete line folding in a header field");
        }

        int colon = span.IndexOf((byte)':');
        if (colon <= 0 || !IsToken(span[..colon]))
        {
            throw new BadHttpRequestException(400, "a header field has no valid name");
        }

        ReadOnlySpan<byte> value = span[(colon + 1)..].Trim(" \t"u8);
        foreach (byte b in value)
        {
            if (b < 0x20 && b != (byte)'\t' || b == 0x7F)
            {
                throw new BadHttpRequestException(400, "a header field value holds a control character");
            }
        }

        return new KeyValuePair<string, string>(Encoding.ASCII.GetString(span[..colon]), Encoding.Latin1.GetString(value));
    }

    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static readonly SearchValues<byte> s_tchar = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static bool IsToken(ReadOnlySpan<byte> span) => !span.IsEmpty && span.IndexOfAnyExcept(s_tchar) < 0;
}
