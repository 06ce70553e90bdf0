using System.Buffers;
using ConsoleBridge;
using Rfb.Encodings;
using Rfb.Protocol;
using Rfb.Tests.Protocol;

namespace Rfb.Tests.MultiHead;

public sealed class CursorTests
{
    private const uint Fill = 0x00102030;

    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A 3×3 cursor with its hotspot in the middle: the hotspot opaque red, right of it red at alpha
    /// 128, below it opaque white, everything else alpha 0 (with a colour that must not show).
    /// </summary>
    private static readonly byte[] s_cursorRgba =
    [
        0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0xFF, 0,
        0xFF, 0xFF, 0xFF, 0, 0xFF, 0x00, 0x00, 255, 0xFF, 0x00, 0x00, 128,
        0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0xFF, 255, 0xFF, 0xFF, 0xFF, 0,
    ];

    // Red at alpha 128 over 0x102030, by hand with (c × a + p × (255 − a) + 127) / 255 per channel:
    // red (255 × 128 + 16 × 127 + 127) / 255 = 34799 / 255 = 136 (0x88), green (32 × 127 + 127) / 255
    // = 16 (0x10), blue (48 × 127 + 127) / 255 = 24 (0x18).
    private const uint HalfRedOverFill = 0x00881018;

    [Fact]
    public void WriteCursor_CanonicalFormat_WritesPixelsThenMsbFirstMask()
    {
        var output = new ArrayBufferWriter<byte>();
        uint[] argb = [0xFF112233, 0x80445566, 0x7F778899, 0x00AABBCC, 0xFFDDEEFF, 0x01000000];
        ServerMessageWriter.WriteCursor(output, argb, 3, 2, 1, 0, new PixelTranslator(PixelFormat.Canonical));

        // By hand from rfbproto's Cursor pseudo-encoding: header x = hotspot-x 1, y = hotspot-y 0,
        // 3 × 2, encoding -239 (0xFFFFFF11); six 32-bit little-endian pixels with red at shift 16
        // (alpha dropped); then one mask byte per row, MSB first: alpha >= 128 sets the bit, so
        // row 0 is 1,1,0 (0xC0) and row 1 is 0,1,0 (0x40).
        byte[] expected =
        [
            0, 1, 0, 0, 0, 3, 0, 2, 0xFF, 0xFF, 0xFF, 0x11,
            0x33, 0x22, 0x11, 0, 0x66, 0x55, 0x44, 0, 0x99, 0x88, 0x77, 0,
            0xCC, 0xBB, 0xAA, 0, 0xFF, 0xEE, 0xDD, 0, 0, 0, 0, 0,
            0xC0, 0x40,
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WriteCursor_Rgb565BigEndianNinePixelsWide_TranslatesAndPadsMaskRows()
    {
        var output = new ArrayBufferWriter<byte>();
        uint[] argb = [0xFFFF0000, 0xFF0000FF, 0xFFFF0000, 0xFF0000FF, 0xFFFF0000, 0xFF0000FF, 0xFFFF0000, 0xFF0000FF, 0x0000FF00];
        var rgb565 = new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0);
        ServerMessageWriter.WriteCursor(output, argb, 9, 1, 8, 0, new PixelTranslator(rgb565));

        // Red is 31 << 11 = 0xF800, blue 31 = 0x001F, green 63 << 5 = 0x07E0, each big-endian.
        // Nine mask bits need two bytes: eight set, the ninth (alpha 0) clear: 0xFF, 0x00.
        byte[] expected =
        [
            0, 8, 0, 0, 0, 9, 0, 1, 0xFF, 0xFF, 0xFF, 0x11,
            0xF8, 0, 0, 0x1F, 0xF8, 0, 0, 0x1F, 0xF8, 0, 0, 0x1F, 0xF8, 0, 0, 0x1F, 0x07, 0xE0,
            0xFF, 0x00,
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WriteVMwareAlphaCursor_TwoPixels_WritesTypeOneAndStraightRgba()
    {
        var output = new ArrayBufferWriter<byte>();
        ServerMessageWriter.WriteVMwareAlphaCursor(output, [0xFF102030, 0x80405060], 2, 1, 1, 0);

        // By hand: header x = 1, y = 0, 2 × 1, encoding 0x574D5664 ("WMVd"); cursor type 1
        // (alpha), one padding byte, then R, G, B, A per pixel as defined (not premultiplied).
        byte[] expected =
        [
            0, 1, 0, 0, 0, 2, 0, 1, 0x57, 0x4D, 0x56, 0x64,
            1, 0,
            0x10, 0x20, 0x30, 0xFF, 0x40, 0x50, 0x60, 0x80,
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WriteCursor_TooLarge_Throws()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentOutOfRangeException>(() => ServerMessageWriter.WriteVMwareAlphaCursor(output, new uint[257], 257, 1, 0, 0));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public async Task ClientWithoutCursorEncodings_CursorDefined_IsDrawnIntoItsPixels()
    {
        await using var server = new MultiHeadServer();
        ResizingHost host = server.AddHead(100, 70, Fill);
        host.Console.DefineCursor(s_cursorRgba, 3, 3, 1, 1);
        host.Console.MoveCursor(10, 10);
        await using TestClient client = server.Connect();
        var screen = new ClientScreen(100, 70);
        screen.Apply(await client.StartAsync(EncodingType.Raw));

        Assert.Equal(0x00FF0000u, screen[10, 10]);
        Assert.Equal(HalfRedOverFill, screen[11, 10]);
        Assert.Equal(0x00FFFFFFu, screen[10, 11]);
        Assert.Equal(1 + 1 + 1, screen.CountNot(Fill));
    }

    [Fact]
    public async Task ClientWithoutCursorEncodings_CursorMovesThenHides_OldPlaceRestoredNewPlaceDrawn()
    {
        await using var server = new MultiHeadServer();
        ResizingHost host = server.AddHead(100, 70, Fill);
        await using TestClient client = server.Connect();
        var screen = new ClientScreen(100, 70);
        screen.Apply(await client.StartAsync(EncodingType.Raw));
        Assert.Equal(0, screen.CountNot(Fill));

        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 100, 70));
        host.Console.DefineCursor(s_cursorRgba, 3, 3, 1, 1);
        host.Console.MoveCursor(10, 10);
        await ReadUntilAsync(client, screen, s => s[10, 10] == 0x00FF0000);

        // Into another tile (64-pixel tiles), reaching past the head's right edge: clipped.
        host.Console.MoveCursor(99, 50);
        await ReadUntilAsync(client, screen, s => s[10, 10] == Fill);
        Assert.Equal(0x00FF0000u, screen[99, 50]);
        Assert.Equal(0x00FFFFFFu, screen[99, 51]);
        Assert.Equal(2, screen.CountNot(Fill));

        host.Console.ShowCursor(false);
        await ReadUntilAsync(client, screen, s => s[99, 50] == Fill);
        Assert.Equal(0, screen.CountNot(Fill));
    }

    [Fact]
    public async Task ClientWithoutCursorEncodings_SecondHead_CursorDrawnAtHeadOffset()
    {
        await using var server = new MultiHeadServer();
        server.AddHead(40, 30, 0x00000000);
        ResizingHost second = server.AddHead(50, 30, Fill);
        second.Console.DefineCursor(s_cursorRgba, 3, 3, 1, 1);
        second.Console.MoveCursor(5, 6);
        await using TestClient client = server.Connect();
        var screen = new ClientScreen(90, 30);
        screen.Apply(await client.StartAsync(EncodingType.Raw));
        Assert.Equal(0x00FF0000u, screen[45, 6]);
        Assert.Equal(HalfRedOverFill, screen[46, 6]);
        Assert.Equal(0x00FFFFFFu, screen[45, 7]);
    }

    [Fact]
    public async Task ClientWithBothCursorEncodings_GetsVMwareShapeAndUndrawnPixels()
    {
        await using var server = new MultiHeadServer();
        ResizingHost host = server.AddHead(100, 70, Fill);
        host.Console.DefineCursor(s_cursorRgba, 3, 3, 1, 1);
        host.Console.MoveCursor(10, 10);
        await using TestClient client = server.Connect();
        List<UpdateRect> first = await client.StartAsync(EncodingType.Raw, EncodingType.Cursor, EncodingType.VMwareCursor);

        UpdateRect shape = Assert.Single(first, r => r.Encoding == EncodingType.VMwareCursor);
        Assert.DoesNotContain(first, r => r.Encoding == EncodingType.Cursor);
        Assert.Equal((1, 1, 3, 3), (shape.X, shape.Y, shape.Width, shape.Height));
        Assert.Equal(s_cursorRgba, shape.Payload);
        var screen = new ClientScreen(100, 70);
        screen.Apply(first);
        Assert.Equal(0, screen.CountNot(Fill));

        // Moving the cursor sends nothing (the client draws it at its pointer); hiding sends a
        // transparent 1×1 shape; showing it again sends the shape again.
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 100, 70));
        host.Console.MoveCursor(50, 50);
        await client.AssertNothingAsync(Quiet);
        host.Console.ShowCursor(false);
        UpdateRect hidden = Assert.Single(await client.ReadUpdateAsync());
        Assert.Equal((0, 0, 1, 1, EncodingType.VMwareCursor), (hidden.X, hidden.Y, hidden.Width, hidden.Height, hidden.Encoding));
        Assert.Equal(new byte[4], hidden.Payload);
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 100, 70));
        host.Console.ShowCursor(true);
        Assert.Equal(s_cursorRgba, Assert.Single(await client.ReadUpdateAsync()).Payload);
    }

    [Fact]
    public async Task ClientWithRichCursorOnly_GetsCursorInItsPixelFormatWithMask()
    {
        await using var server = new MultiHeadServer();
        ResizingHost host = server.AddHead(100, 70, Fill);
        await using TestClient client = server.Connect();
        List<UpdateRect> first = await client.StartAsync(EncodingType.Raw, EncodingType.Cursor);
        Assert.DoesNotContain(first, r => r.Encoding == EncodingType.Cursor); // none defined yet: the client keeps its own

        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 100, 70));
        host.Console.DefineCursor(s_cursorRgba, 3, 3, 1, 1);
        UpdateRect shape = Assert.Single(await client.ReadUpdateAsync());
        Assert.Equal((1, 1, 3, 3, EncodingType.Cursor), (shape.X, shape.Y, shape.Width, shape.Height, shape.Encoding));

        // Canonical 32-bit little-endian pixels (B, G, R, 0), then mask rows: 000, 011, 010.
        byte[] white = [0xFF, 0xFF, 0xFF, 0];
        byte[] expected = [.. white, .. white, .. white, .. white, 0, 0, 0xFF, 0, 0, 0, 0xFF, 0, .. white, .. white, .. white, 0x00, 0x60, 0x40];
        Assert.Equal(expected, shape.Payload);
    }

    [Fact]
    public async Task ClientAddsCursorEncodings_DrawnCursorIsRemovedAndShapeSent()
    {
        await using var server = new MultiHeadServer();
        ResizingHost host = server.AddHead(100, 70, Fill);
        host.Console.DefineCursor(s_cursorRgba, 3, 3, 1, 1);
        host.Console.MoveCursor(10, 10);
        await using TestClient client = server.Connect();
        var screen = new ClientScreen(100, 70);
        screen.Apply(await client.StartAsync(EncodingType.Raw));
        Assert.Equal(3, screen.CountNot(Fill));

        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.Raw, EncodingType.VMwareCursor));
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 100, 70));
        List<UpdateRect> update = await client.ReadUpdateAsync();
        Assert.Single(update, r => r.Encoding == EncodingType.VMwareCursor);
        screen.Apply(update);
        Assert.Equal(0, screen.CountNot(Fill));
    }

    private static async Task ReadUntilAsync(TestClient client, ClientScreen screen, Func<ClientScreen, bool> done)
    {
        using var cts = new CancellationTokenSource(TestClient.Timeout);
        while (!done(screen))
        {
            cts.Token.ThrowIfCancellationRequested();
            screen.Apply(await client.ReadUpdateAsync());
            await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, screen.Width, screen.Height));
        }
    }

    /// <summary>What a client shows: Raw rectangles applied to a canonical framebuffer.</summary>
    private sealed class ClientScreen(int width, int height)
    {
        private readonly uint[] _pixels = new uint[width * height];

        public int Width { get; } = width;

        public int Height { get; } = height;

        public uint this[int x, int y] => _pixels[y * Width + x];

        public void Apply(List<UpdateRect> update)
        {
            foreach (UpdateRect r in update.Where(r => r.Encoding == EncodingType.Raw))
            {
                for (int y = r.Y; y < r.Y + r.Height; y++)
                {
                    for (int x = r.X; x < r.X + r.Width; x++)
                    {
                        _pixels[y * Width + x] = r.Pixel(x, y);
                    }
                }
            }
        }

        public int CountNot(uint value) => _pixels.Count(p => p != value);
    }
}
