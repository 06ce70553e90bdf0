namespace Rfb.Tests.Recording;

/// <summary>
/// A small recorded session typed by hand from RFC 6143 (RFB 3.3 handshake, ServerInit,
/// FramebufferUpdate, Bell, ServerCutText, SetColourMapEntries) and the rfbproto pseudo-encodings
/// LastRect (-224 = 0xFFFFFF20) and DesktopSize (-223 = 0xFFFFFF21), split into FBS blocks.
/// </summary>
internal static class GoldenSession
{
    public const int ServerInitEnd = 44;

    public static readonly byte[] Stream =
    [
        // 0: version
        0x52, 0x46, 0x42, 0x20, 0x30, 0x30, 0x33, 0x2E, 0x30, 0x30, 0x33, 0x0A, // "RFB 003.003\n"
        // 12: security type None
        0x00, 0x00, 0x00, 0x01,
        // 16: ServerInit 4x3, 32 bpp depth 24 little-endian true colour, max 255, shifts 16/8/0, name "test"
        0x00, 0x04, 0x00, 0x03,
        0x20, 0x18, 0x00, 0x01, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x10, 0x08, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x04, 0x74, 0x65, 0x73, 0x74,
        // 44: FramebufferUpdate, 0xFFFF rectangles
        0x00, 0x00, 0xFF, 0xFF,
        // 48: Raw 2x2 at (1,1); pixels B, G, R, X
        0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x11, 0x22, 0x33, 0x00, 0x44, 0x55, 0x66, 0x00,
        0x77, 0x88, 0x99, 0x00, 0xAA, 0xBB, 0xCC, 0x00,
        // 76: CopyRect 2x1 to (0,0) from (1,1)
        0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x01, 0x00, 0x01,
        // 92: LastRect
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x20,
        // 104: Bell
        0x02,
        // 105: ServerCutText "abc"
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x61, 0x62, 0x63,
        // 116: FramebufferUpdate, 2 rectangles
        0x00, 0x00, 0x00, 0x02,
        // 120: DesktopSize 6x5
        0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x05, 0xFF, 0xFF, 0xFF, 0x21,
        // 132: Raw 1x1 at (5,4), inside the new size only
        0x00, 0x05, 0x00, 0x04, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x02, 0x03, 0x00,
        // 148: SetColourMapEntries, first 0, 1 colour
        0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
        // 160: FramebufferUpdate, 0 rectangles
        0x00, 0x00, 0x00, 0x00,
        // 164: end
    ];

    /// <summary>Block boundaries and timestamps; one block ends exactly where the first update ends (104).</summary>
    public static readonly (int Start, int End, uint TimestampMs)[] Blocks =
    [
        (0, 20, 0),
        (20, 66, 10),
        (66, 104, 20),
        (104, 140, 30),
        (140, 164, 40),
    ];

    /// <summary>The FBS file: header, then each block with its length, padding and timestamp.</summary>
    public static byte[] Fbs()
    {
        var file = new List<byte>("FBS 001.000\n"u8.ToArray());
        foreach ((int start, int end, uint ms) in Blocks)
        {
            int n = end - start;
            file.AddRange([(byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n]);
            file.AddRange(Stream[start..end]);
            file.AddRange(new byte[(4 - n % 4) % 4]);
            file.AddRange([(byte)(ms >> 24), (byte)(ms >> 16), (byte)(ms >> 8), (byte)ms]);
        }

        return file.ToArray();
    }

    /// <summary>The 44-byte session header (version, security, ServerInit of a 4x3 screen) followed by <paramref name="messages"/>.</summary>
    public static byte[] WithMessages(params byte[] messages) => [.. Stream[..ServerInitEnd], .. messages];
}
