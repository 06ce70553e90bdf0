using Rfb.Sessions;

namespace Rfb.Tests.Protocol;

public sealed class HandshakeTests
{
    [Fact]
    public async Task Handshake_Version38NoAuth_SendsTypesResultAndServerInit()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        Assert.Equal("RFB 003.008\n"u8.ToArray(), await client.ReadExactAsync(12));
        await client.SendAsync("RFB 003.008\n"u8.ToArray());
        // 3.8: u8 number-of-security-types = 1, type 1 (None).
        Assert.Equal(new byte[] { 1, 1 }, await client.ReadExactAsync(2));
        await client.SendAsync(1);
        // 3.8 sends SecurityResult OK even for None.
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, await client.ReadExactAsync(4));
        await client.SendAsync(1);
        byte[] init = await client.ReadExactAsync(24 + 4);
        Assert.Equal(
            new byte[]
            {
                0, 4, 0, 2,                        // 4 x 2
                32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, // XRGB8888 little-endian
                0, 0, 0, 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t',
            },
            init);
    }

    [Fact]
    public async Task Handshake_Version37NoAuth_SendsNoSecurityResult()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.ReadExactAsync(12);
        await client.SendAsync("RFB 003.007\n"u8.ToArray());
        Assert.Equal(new byte[] { 1, 1 }, await client.ReadExactAsync(2));
        await client.SendAsync(1);
        await client.SendAsync(1); // ClientInit follows at once: 3.7 has no SecurityResult for None.
        Assert.Equal((4, 2, "test"), await client.ReadServerInitAsync());
    }

    [Theory]
    [InlineData("RFB 003.003\n")]
    [InlineData("RFB 003.005\n")] // unknown: answered as 3.3 (RFC 6143 §7.1.1)
    [InlineData("RFB 003.889\n")] // Apple's: also 3.3
    [InlineData("RFB 004.001\n")]
    public async Task Handshake_Version33OrUnknown_ServerChoosesSecurityType(string version)
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.ReadExactAsync(12);
        await client.SendAsync(System.Text.Encoding.ASCII.GetBytes(version));
        // 3.3: the server decides, u32 security-type = 1 (None), then ClientInit.
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, await client.ReadExactAsync(4));
        await client.SendAsync(1);
        Assert.Equal((4, 2, "test"), await client.ReadServerInitAsync());
    }

    [Fact]
    public async Task Handshake_MalformedVersion_ClosesWithProtocolError()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.ReadExactAsync(12);
        await client.SendAsync("GET / HTTP/1.1\r\n"u8.ToArray());
        Assert.Empty(await client.ReadToEndAsync());
        await server.LastSession.WaitAsync(TestClient.Timeout);
    }

    [Fact]
    public async Task Handshake_SecurityTypeNotOffered_Version38GetsReasonAndClose()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.ReadExactAsync(12);
        await client.SendAsync("RFB 003.008\n"u8.ToArray());
        await client.ReadExactAsync(2);
        await client.SendAsync(2);
        Assert.Equal(1u, await client.ReadUInt32Async());
        Assert.Equal("Security type 2 was not offered; this server offers 1.", await client.ReadReasonAsync());
        Assert.Empty(await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Handshake_ByteByByte_Completes()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.ReadExactAsync(12);
        await client.SendByteByByteAsync("RFB 003.008\n"u8.ToArray());
        await client.ReadExactAsync(2);
        await client.SendAsync(1);
        await client.ReadExactAsync(4);
        await client.SendAsync(1);
        Assert.Equal((4, 2, "test"), await client.ReadServerInitAsync());
    }

    [Fact]
    public async Task Handshake_ClientSilent_ClosedAfterHandshakeTimeout()
    {
        await using var server = new InMemoryServer(4, 2, o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(300));
        await using TestClient client = server.Connect();
        await client.ReadExactAsync(12);
        Assert.Empty(await client.ReadToEndAsync());
        await server.LastSession.WaitAsync(TestClient.Timeout);
        Assert.Equal(0, server.Server.SessionCount);
    }
}
