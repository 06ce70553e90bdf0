using Rfb.Encodings;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// Tight and TightPNG (community rfbproto, "Tight Encoding") at 32 bpp depth 24, where a TPIXEL is
/// 3 bytes: the compression-control byte is parsed far enough to find the payload's length,
/// which is skipped. Decoding needs the four zlib streams and JPEG; until a decoder is added here,
/// the final-frame check does not cover such rectangles.
/// </summary>
internal sealed class TightSkipper(int encoding) : IRectangleDecoder
{
    private const int TightPixelBytes = 3;

    public int Encoding { get; } = encoding;

    public bool DecodesPixels => false;

    public void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer)
    {
        byte control = input.ReadU8();
        int kind = control >> 4;
        if (kind == 8)
        {
            input.Skip(TightPixelBytes); // fill
            return;
        }

        if (kind is 9 or 10)
        {
            input.Skip(ReadCompactLength(input)); // JPEG, PNG
            return;
        }

        if (kind > 10)
        {
            throw new InvalidDataException($"Tight compression control 0x{control:X2} is not defined.");
        }

        int filter = (kind & 4) != 0 ? input.ReadU8() : 0;
        long dataLength;
        switch (filter)
        {
            case 0: // copy
            case 2: // gradient
                dataLength = (long)width * height * TightPixelBytes;
                break;
            case 1: // palette
                int colours = input.ReadU8() + 1;
                input.Skip(colours * TightPixelBytes);
                dataLength = colours == 2 ? (long)((width + 7) / 8) * height : (long)width * height;
                break;
            default:
                throw new InvalidDataException($"Tight filter {filter} is not defined.");
        }

        input.Skip(dataLength < 12 ? dataLength : ReadCompactLength(input));
    }

    /// <summary>1 to 3 bytes, 7 bits each, least significant first; the high bit says another follows.</summary>
    internal static int ReadCompactLength(RfbInput input)
    {
        int b = input.ReadU8();
        int length = b & 0x7F;
        if ((b & 0x80) != 0)
        {
            b = input.ReadU8();
            length |= (b & 0x7F) << 7;
            if ((b & 0x80) != 0)
            {
                length |= input.ReadU8() << 14;
            }
        }

        return length;
    }
}
