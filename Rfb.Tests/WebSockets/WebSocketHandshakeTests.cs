using System.Buffers;
using System.Text;
using Rfb.Transports;

namespace Rfb.Tests.WebSockets;

public sealed class WebSocketHandshakeTests
{
    private static HttpRequest Parse(string text)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text));
        Assert.True(HttpRequestReader.TryRead(ref buffer, new HttpRequestLimits(), out HttpRequest? request));
        return request!;
    }

    private static string Upgrade(string path = "/websockify", string? origin = null, string host = "127.0.0.1:5700", string extra = "") =>
        $"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        (origin is null ? string.Empty : $"Origin: {origin}\r\n") + extra + "\r\n";

    [Fact]
    public void ComputeAccept_Rfc6455Example_MatchesTheRfc()
    {
        // RFC 6455 §1.3 gives this key and its accept value.
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void Accept_BinaryOffered_EchoesBinary()
    {
        var options = new WebSocketTransportOptions();
        Assert.Equal(("binary", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), WebSocketHandshake.Accept(Parse(Upgrade(extra: "Sec-WebSocket-Protocol: base64, binary\r\n")), options, false));
        Assert.Equal(((string?)null, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), WebSocketHandshake.Accept(Parse(Upgrade(path: "/")), options, false));
        Assert.Null(WebSocketHandshake.Accept(Parse(Upgrade(extra: "Sec-WebSocket-Protocol: base64\r\n")), options, false).SubProtocol);
    }

    [Theory]
    [InlineData("POST /websockify HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 405)]
    [InlineData("GET /websockify HTTP/1.0\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)]
    [InlineData("GET /other HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 404)]
    [InlineData("GET /websockify HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)]
    [InlineData("GET /websockify HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)]
    [InlineData("GET /websockify HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n", 426)]
    [InlineData("GET /websockify HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)]
    [InlineData("GET /websockify HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)]
    public void Accept_BadUpgrade_RefusedWithStatus(string text, int status)
    {
        var ex = Assert.Throws<BadHttpRequestException>(() => WebSocketHandshake.Accept(Parse(text), new WebSocketTransportOptions(), false));
        Assert.Equal(status, ex.StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5700", "127.0.0.1:5700", false, true)]
    [InlineData("HTTP://LOCALHOST:5700", "localhost:5700", false, true)]
    [InlineData("http://127.0.0.1", "127.0.0.1:80", false, true)]
    [InlineData("https://127.0.0.1", "127.0.0.1", true, true)]
    [InlineData("http://[::1]:5700", "[::1]:5700", false, true)]
    [InlineData("http://127.0.0.1:5701", "127.0.0.1:5700", false, false)]
    [InlineData("http://evil.example:5700", "127.0.0.1:5700", false, false)]
    [InlineData("http://127.0.0.1:5700", "127.0.0.1", false, false)]
    [InlineData("null", "127.0.0.1:5700", false, false)]
    [InlineData("file://", "127.0.0.1:5700", false, false)]
    [InlineData("http://127.0.0.1:5700", "127.0.0.1:5700/x", false, false)]
    public void IsOriginAllowed_SameOriginDefault_ComparesHostAndPort(string origin, string host, bool secure, bool allowed)
    {
        Assert.Equal(allowed, WebSocketHandshake.IsOriginAllowed(origin, host, new WebSocketTransportOptions(), secure));
    }

    [Fact]
    public void IsOriginAllowed_List_AllowsOnlyListedOrigins()
    {
        var options = new WebSocketTransportOptions();
        options.AllowedOrigins.Add("https://console.example/");
        Assert.True(WebSocketHandshake.IsOriginAllowed("https://console.example", "127.0.0.1:5700", options, false));
        Assert.False(WebSocketHandshake.IsOriginAllowed("http://127.0.0.1:5700", "127.0.0.1:5700", options, false));
        options.AllowedOrigins.Add("*");
        Assert.True(WebSocketHandshake.IsOriginAllowed("http://anything:1", "127.0.0.1:5700", options, false));
    }

    [Fact]
    public void Accept_ForeignOrigin_Refused403_NoOriginAllowed()
    {
        var options = new WebSocketTransportOptions();
        Assert.Equal(403, Assert.Throws<BadHttpRequestException>(() => WebSocketHandshake.Accept(Parse(Upgrade(origin: "http://evil.example")), options, false)).StatusCode);
        Assert.NotNull(WebSocketHandshake.Accept(Parse(Upgrade()), options, false).Accept);
    }
}
