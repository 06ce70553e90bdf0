using System.Buffers;
using System.Text;
using Rfb.Transports;

namespace Rfb.Tests.WebSockets;

public sealed class HttpRequestReaderTests
{
    // The opening handshake of RFC 6455 §1.2, as a browser sends it.
    private const string Upgrade =
        "GET /websockify?token=1 HTTP/1.1\r\n" +
        "Host: 127.0.0.1:5700\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: keep-alive, Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Origin: http://127.0.0.1:5700\r\n" +
        "Sec-WebSocket-Protocol: chat, binary\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "\r\n";

    private static ReadOnlySequence<byte> OneSegment(string text) => new(Encoding.Latin1.GetBytes(text));

    /// <summary>Every byte in its own segment: a parser that only works on one span fails here.</summary>
    private static ReadOnlySequence<byte> ByteSegments(string text)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        Segment last = first;
        for (int i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryRead_BrowserUpgrade_ParsesEveryField(bool byteSegments)
    {
        ReadOnlySequence<byte> buffer = byteSegments ? ByteSegments(Upgrade + "rest") : OneSegment(Upgrade + "rest");
        Assert.True(HttpRequestReader.TryRead(ref buffer, new HttpRequestLimits(), out HttpRequest? request));
        Assert.NotNull(request);
        Assert.Equal("rest", Encoding.ASCII.GetString(buffer.ToArray()));
        Assert.Equal("GET", request.Method);
        Assert.Equal("/websockify?token=1", request.Target);
        Assert.Equal("/websockify", request.Path);
        Assert.Equal("?token=1", request.Query);
        Assert.Equal(1, request.MinorVersion);
        Assert.Equal(7, request.Headers.Count);
        Assert.Equal("127.0.0.1:5700", request["host"]);
        Assert.True(request.HasToken("Connection", "upgrade"));
        Assert.True(request.HasToken("Sec-WebSocket-Protocol", "binary"));
        Assert.False(request.HasToken("Sec-WebSocket-Protocol", "base64"));
        Assert.True(WebSocketHandshake.IsUpgrade(request));
    }

    [Fact]
    public void TryRead_EveryPrefix_NeedsMoreAndConsumesNothing()
    {
        for (int length = 0; length < Upgrade.Length; length++)
        {
            ReadOnlySequence<byte> buffer = OneSegment(Upgrade[..length]);
            Assert.False(HttpRequestReader.TryRead(ref buffer, new HttpRequestLimits(), out _), $"prefix of {length}");
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void TryRead_RepeatedHeader_JoinsValues()
    {
        ReadOnlySequence<byte> buffer = OneSegment("GET / HTTP/1.0\r\nConnection: Upgrade\r\nCONNECTION:  keep-alive \t\r\n\r\n");
        Assert.True(HttpRequestReader.TryRead(ref buffer, new HttpRequestLimits(), out HttpRequest? request));
        Assert.Equal("Upgrade, keep-alive", request!["Connection"]);
        Assert.Equal(0, request.MinorVersion);
        Assert.True(request.KeepAlive);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n", 400, "bare LF")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n  folded\r\n\r\n", 400, "folding")]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "no valid name")]
    [InlineData("GET / HTTP/1.1\r\n: a\r\n\r\n", 400, "no valid name")]
    [InlineData("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400, "no valid name")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\u0001b\r\n\r\n", 400, "control character")]
    [InlineData("GET  / HTTP/1.1\r\n\r\n", 400, "method target version")]
    [InlineData("GET /\r\n\r\n", 400, "method target version")]
    [InlineData("G(T / HTTP/1.1\r\n\r\n", 400, "not a token")]
    [InlineData("GET http://a/ HTTP/1.1\r\n\r\n", 400, "absolute path")]
    [InlineData("GET /a\u00e9 HTTP/1.1\r\n\r\n", 400, "absolute path")]
    [InlineData("GET / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0")]
    [InlineData("GET / HTTPS/1.1\r\n\r\n", 400, "no HTTP version")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400, "CR or NUL")]
    public void TryRead_Malformed_ThrowsWithStatus(string text, int status, string reason)
    {
        foreach (ReadOnlySequence<byte> input in new[] { OneSegment(text), ByteSegments(text) })
        {
            ReadOnlySequence<byte> buffer = input;
            var ex = Assert.Throws<BadHttpRequestException>(() => HttpRequestReader.TryRead(ref buffer, new HttpRequestLimits(), out _));
            Assert.Equal(status, ex.StatusCode);
            Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryRead_RequestLineOverLimit_Throws414EvenWithoutItsEnd()
    {
        var limits = new HttpRequestLimits { MaxRequestLineLength = 32 };
        ReadOnlySequence<byte> exact = OneSegment("GET /" + new string('a', 18) + " HTTP/1.1\r\n\r\n"); // 32 bytes of line
        Assert.True(HttpRequestReader.TryRead(ref exact, limits, out _));

        ReadOnlySequence<byte> over = OneSegment("GET /" + new string('a', 19) + " HTTP/1.1\r\n\r\n");
        Assert.Equal(414, Assert.Throws<BadHttpRequestException>(() => HttpRequestReader.TryRead(ref over, limits, out _)).StatusCode);

        // No CRLF yet, but already longer than the limit allows: refused without waiting for more.
        ReadOnlySequence<byte> unfinished = OneSegment("GET /" + new string('a', 40));
        Assert.Equal(414, Assert.Throws<BadHttpRequestException>(() => HttpRequestReader.TryRead(ref unfinished, limits, out _)).StatusCode);
    }

    [Fact]
    public void TryRead_HeaderLineOverLimit_Throws431()
    {
        var limits = new HttpRequestLimits { MaxHeaderLineLength = 16 };
        ReadOnlySequence<byte> exact = OneSegment("GET / HTTP/1.1\r\nX: " + new string('b', 13) + "\r\n\r\n");
        Assert.True(HttpRequestReader.TryRead(ref exact, limits, out _));
        ReadOnlySequence<byte> over = OneSegment("GET / HTTP/1.1\r\nX: " + new string('b', 14) + "\r\n\r\n");
        Assert.Equal(431, Assert.Throws<BadHttpRequestException>(() => HttpRequestReader.TryRead(ref over, limits, out _)).StatusCode);
        ReadOnlySequence<byte> unfinished = OneSegment("GET / HTTP/1.1\r\nX: " + new string('b', 30));
        Assert.Equal(431, Assert.Throws<BadHttpRequestException>(() => HttpRequestReader.TryRead(ref unfinished, limits, out _)).StatusCode);
    }

    [Fact]
    public void TryRead_TooManyHeaders_Throws431()
    {
        var limits = new HttpRequestLimits { MaxHeaderCount = 3 };
        ReadOnlySequence<byte> three = OneSegment("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        Assert.True(HttpRequestReader.TryRead(ref three, limits, out _));
        ReadOnlySequence<byte> four = OneSegment("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");
        var ex = Assert.Throws<BadHttpRequestException>(() => HttpRequestReader.TryRead(ref four, limits, out _));
        Assert.Equal(431, ex.StatusCode);
    }
}
