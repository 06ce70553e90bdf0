using Rfb.Encodings;
using Rfb.Sessions;

namespace Rfb.Tests.Protocol;

public sealed class BadInputTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "unknown message type", [7, 0, 0, 0] },
        { "unsupported QEMU subtype", [255, 1, 0, 0] },
        { "SetEncodings over the limit", [2, 0, 0x02, 0x01] },                       // 513 encodings
        { "ClientCutText over the limit", [6, 0, 0, 0, 0x00, 0x10, 0x00, 0x01] },    // 1 MiB + 1
        { "ClientCutText with negative length", [6, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF0] },
        { "colour-map pixel format", [0, 0, 0, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "24 bits per pixel", [0, 0, 0, 0, 24, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_ClosesThatSessionOnly_OthersKeepWorking(string what, byte[] bytes)
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient good = server.Connect();
        await good.HandshakeAsync();
        await using TestClient bad = server.Connect();
        await bad.HandshakeAsync();
        Task badSession = server.LastSession;

        await bad.SendAsync(bytes);
        Assert.Empty(await bad.ReadToEndAsync());
        await badSession.WaitAsync(TestClient.Timeout);

        await good.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0 }, await good.ReadExactAsync(16));
        Assert.True(what.Length > 0);
    }

    [Fact]
    public async Task ClientMessageReader_EveryMessageByteByByte_ParsesTheSame()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        byte[] all =
        [
            .. ClientMessages.SetEncodings(EncodingType.Raw, EncodingType.QemuExtendedKeyEvent),
            .. ClientMessages.KeyEvent(true, 0x61),
            .. ClientMessages.PointerEvent(1, 3, 1),
            .. ClientMessages.ClientCutText("caf\u00e9"u8.ToArray() is var _ ? [0x63, 0x61, 0x66, 0xE9] : []),
            .. ClientMessages.QemuExtendedKey(false, 0xFFE4, 0x9D),
            .. ClientMessages.UpdateRequest(false, 0, 0, 4, 2),
        ];
        await client.SendByteByByteAsync(all);
        string[] events = await server.Host.WaitForAsync(4);
        Assert.Equal(["key 61 0 down", "pointer 3,1 1", "clipboard caf\u00e9", "key ffe4 e01d up"], events);
        byte[] update = await client.ReadExactAsync(4 + 12);
        Assert.Equal(new byte[] { 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFE, 0xFE }, update);
    }

    [Fact]
    public async Task PointerEvent_OutsideFramebuffer_ClippedToLastPixel()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.PointerEvent(4, 1000, 1000));
        Assert.Equal(["pointer 3,1 4"], await server.Host.WaitForAsync(1));
    }

    [Fact]
    public async Task TruncatedMessage_ThenClose_EndsSessionCleanly()
    {
        await using var server = new InMemoryServer(4, 2);
        TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(3, 0, 0); // first 3 bytes of a 10-byte request
        await client.DisposeAsync();
        await server.LastSession.WaitAsync(TestClient.Timeout);
        Assert.Equal(0, server.Server.SessionCount);
    }

    [Fact]
    public async Task HostThrows_SessionKeepsRunning()
    {
        await using var server = new InMemoryServer(4, 2);
        server.Console.Host = new ThrowingHost();
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.KeyEvent(true, 0x61));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, await client.ReadExactAsync(4));
    }

    private sealed class ThrowingHost : global::ConsoleBridge.IConsoleHost
    {
        public void OnKey(uint keysym, uint scancode, bool down) => throw new InvalidOperationException("emulator bug");
    }
}
