using System.Buffers.Binary;
using System.Numerics;

namespace Rfb.Encodings;

/// <summary>
/// An RFB PIXEL_FORMAT (RFC 6143 §7.4): how a client wants pixel values laid out on the wire.
/// </summary>
/// <remarks>
/// <para>
/// The flags are kept as booleans: on the wire any nonzero big-endian or true-colour byte means
/// true (RFC 6143 says "non-zero (true)"), and <see cref="Write"/> writes 1 for true.
/// </para>
/// <para>
/// A red value (0..<see cref="RedMax"/>) is found in a pixel value by putting the pixel's bytes in
/// the order <see cref="BigEndian"/> says, shifting right by <see cref="RedShift"/> and masking with
/// <see cref="RedMax"/>; green and blue alike.
/// </para>
/// </remarks>
/// <param name="BitsPerPixel">Bits each pixel takes on the wire: 8, 16 or 32 for a usable format.</param>
/// <param name="Depth">Number of useful bits in a pixel value (informational; see <see cref="TryValidate"/>).</param>
/// <param name="BigEndian">Multi-byte pixel values are sent most significant byte first.</param>
/// <param name="TrueColour">Pixel values are composed of red, green and blue fields (else colour-map indices).</param>
/// <param name="RedMax">Largest red value, 2^n - 1 for an n-bit field.</param>
/// <param name="GreenMax">Largest green value, 2^n - 1 for an n-bit field.</param>
/// <param name="BlueMax">Largest blue value, 2^n - 1 for an n-bit field.</param>
/// <param name="RedShift">Bit position of the least significant red bit in the pixel value.</param>
/// <param name="GreenShift">Bit position of the least significant green bit in the pixel value.</param>
/// <param name="BlueShift">Bit position of the least significant blue bit in the pixel value.</param>
public readonly record struct PixelFormat(
    byte BitsPerPixel,
    byte Depth,
    bool BigEndian,
    bool TrueColour,
    ushort RedMax,
    ushort GreenMax,
    ushort BlueMax,
    byte RedShift,
    byte GreenShift,
    byte BlueShift)
{
    /// <summary>Size of a PIXEL_FORMAT on the wire.</summary>
    public const int WireSize = 16;

    /// <summary>
    /// The server's own format, announced in ServerInit: 32 bits per pixel, depth 24,
    /// little-endian, true colour, 8 bits per channel with red at bit 16, green at 8, blue at 0
    /// (XRGB8888 as 32-bit little-endian words).
    /// </summary>
    public static PixelFormat Canonical { get; } = new(32, 24, false, true, 255, 255, 255, 16, 8, 0);

    /// <summary>Bytes per pixel on the wire (<see cref="BitsPerPixel"/> / 8).</summary>
    public int BytesPerPixel => BitsPerPixel / 8;

    /// <summary>
    /// True when ZRLE sends this format's pixels as 3-byte CPIXELs (RFC 6143 §7.7.6): true colour,
    /// 32 bits per pixel, depth 24 or less, and every red, green and blue bit within either the
    /// three least significant or the three most significant bytes of the pixel value.
    /// </summary>
    public bool UsesCompactPixel => CompactPixelLayout != CompactLayout.None;

    /// <summary>Bytes in a ZRLE CPIXEL: 3 when <see cref="UsesCompactPixel"/>, else <see cref="BytesPerPixel"/>.</summary>
    public int CompactPixelBytes => UsesCompactPixel ? 3 : BytesPerPixel;

    /// <summary>
    /// True when Tight sends this format's pixels as 3-byte TPIXELs (community rfbproto, Tight
    /// encoding): true colour, 32 bits per pixel, depth 24 and every channel exactly 8 bits wide
    /// (all maxima 255). Unlike ZRLE's CPIXEL, a TPIXEL is always red, green, blue in that order,
    /// whatever the shifts and the byte order.
    /// </summary>
    public bool UsesTightPixel =>
        TrueColour && BitsPerPixel == 32 && Depth == 24 && RedMax == 255 && GreenMax == 255 && BlueMax == 255;

    /// <summary>Bytes in a Tight TPIXEL: 3 when <see cref="UsesTightPixel"/>, else <see cref="BytesPerPixel"/>.</summary>
    public int TightPixelBytes => UsesTightPixel ? 3 : BytesPerPixel;

    /// <summary>Which three bytes of the pixel value a ZRLE CPIXEL keeps, if any.</summary>
    internal CompactLayout CompactPixelLayout
    {
        get
        {
            if (!TrueColour || BitsPerPixel != 32 || Depth > 24)
            {
                return CompactLayout.None;
            }

            ulong mask = ChannelMask(RedMax, RedShift) | ChannelMask(GreenMax, GreenShift) | ChannelMask(BlueMax, BlueShift);
            // RFC 6143 §7.7.6: when both the low and the high three bytes hold every colour bit
            // (fewer than 17 bits in use, all in the middle), the low three bytes are used.
            if ((mask & ~0x00FF_FFFFUL) == 0)
            {
                return CompactLayout.LeastSignificant;
            }

            if ((mask & ~0xFFFF_FF00UL) == 0)
            {
                return CompactLayout.MostSignificant;
            }

            return CompactLayout.None;
        }
    }

    // PIXEL_FORMAT (RFC 6143 §7.4), 16 bytes, multi-byte fields big-endian:
    //
    //   0        1        2            3             4..5      6..7        8..9       10        11          12         13..15
    // +--------+--------+------------+-------------+---------+-----------+----------+---------+-----------+----------+---------+
    // | bpp U8 | depth  | big-endian | true-colour | red-max | green-max | blue-max | red-    | green-    | blue-    | padding |
    // |        | U8     | flag U8    | flag U8     | U16     | U16       | U16      | shift U8| shift U8  | shift U8 | 3 bytes |
    // +--------+--------+------------+-------------+---------+-----------+----------+---------+-----------+----------+---------+

    /// <summary>
    /// Reads a PIXEL_FORMAT from its 16 wire bytes. Any nonzero flag byte reads as true; the
    /// padding is ignored. The result is not validated: call <see cref="TryValidate"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 16 bytes were given.</exception>
    public static PixelFormat Read(ReadOnlySpan<byte> sixteenBytes)
    {
        if (sixteenBytes.Length < WireSize)
        {
            throw new ArgumentException($"A PIXEL_FORMAT is {WireSize} bytes; {sixteenBytes.Length} were given.", nameof(sixteenBytes));
        }

        return new PixelFormat(
            BitsPerPixel: sixteenBytes[0],
            Depth: sixteenBytes[1],
            BigEndian: sixteenBytes[2] != 0,
            TrueColour: sixteenBytes[3] != 0,
            RedMax: BinaryPrimitives.ReadUInt16BigEndian(sixteenBytes[4..]),
            GreenMax: BinaryPrimitives.ReadUInt16BigEndian(sixteenBytes[6..]),
            BlueMax: BinaryPrimitives.ReadUInt16BigEndian(sixteenBytes[8..]),
            RedShift: sixteenBytes[10],
            GreenShift: sixteenBytes[11],
            BlueShift: sixteenBytes[12]);
    }

    /// <summary>Writes the 16 wire bytes of this format (flags as 0 or 1, padding zero).</summary>
    /// <exception cref="ArgumentException">The destination holds fewer than 16 bytes.</exception>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < WireSize)
        {
            throw new ArgumentException($"A PIXEL_FORMAT is {WireSize} bytes; the destination holds {destination.Length}.", nameof(destination));
        }

        destination[0] = BitsPerPixel;
        destination[1] = Depth;
        destination[2] = BigEndian ? (byte)1 : (byte)0;
        destination[3] = TrueColour ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], RedMax);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], GreenMax);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], BlueMax);
        destination[10] = RedShift;
        destination[11] = GreenShift;
        destination[12] = BlueShift;
        destination[13] = 0;
        destination[14] = 0;
        destination[15] = 0;
    }

    /// <summary>
    /// Checks that the server can produce this format. The rules, in the order they are checked:
    /// <list type="number">
    /// <item>bits per pixel is 8, 16 or 32 (RFC 6143 §7.3.2);</item>
    /// <item>the format is true colour: colour maps are not supported;</item>
    /// <item>depth is between 1 and bits per pixel;</item>
    /// <item>for red, green then blue: the max is nonzero, the max is 2^n - 1, and the channel's
    /// bits (shift + n) fit in bits per pixel.</item>
    /// </list>
    /// Depth is not checked against the channel widths: clients disagree on it (RGB555 comes with
    /// depth 15 or 16, 32-bit formats with depth 24 or 32), and translation never reads it.
    /// Overlapping channels are not refused either; their bits are OR'ed together.
    /// </summary>
    /// <param name="reason">Why the format is refused, or null when it is accepted.</param>
    /// <returns>True when the format is accepted.</returns>
    public bool TryValidate(out string? reason)
    {
        if (BitsPerPixel is not (8 or 16 or 32))
        {
            reason = $"bits per pixel must be 8, 16 or 32, not {BitsPerPixel}";
            return false;
        }

        if (!TrueColour)
        {
            reason = "colour maps are not supported; a true-colour pixel format is required";
            return false;
        }

        if (Depth < 1 || Depth > BitsPerPixel)
        {
            reason = $"depth must be between 1 and {BitsPerPixel} (the bits per pixel), not {Depth}";
            return false;
        }

        reason = ValidateChannel("red", RedMax, RedShift)
            ?? ValidateChannel("green", GreenMax, GreenShift)
            ?? ValidateChannel("blue", BlueMax, BlueShift);
        return reason is null;
    }

    private string? ValidateChannel(string name, ushort max, byte shift)
    {
        if (max == 0)
        {
            return $"{name} max must not be zero";
        }

        if ((max & (max + 1)) != 0)
        {
            return $"{name} max must be 2^n - 1, not {max}";
        }

        int bits = BitOperations.PopCount(max);
        if (shift + bits > BitsPerPixel)
        {
            return $"{name} channel (shift {shift}, {bits} bits) does not fit in {BitsPerPixel} bits per pixel";
        }

        return null;
    }

    /// <summary>The bits a channel occupies in the pixel value; bits past 63 are dropped.</summary>
    internal static ulong ChannelMask(ushort max, byte shift) => shift >= 64 ? ulong.MaxValue : (ulong)max << shift;

    /// <summary>Which three bytes of a 32-bit pixel value a ZRLE CPIXEL keeps.</summary>
    internal enum CompactLayout
    {
        None,
        LeastSignificant,
        MostSignificant,
    }
}
