using Rfb.Encodings;

namespace TraceBench.Client;

/// <summary>
/// Finds where a rectangle's payload ends without decoding it: reads exactly the payload's bytes
/// (the 12-byte header is already read) at 32 bpp XRGB8888, the format the measuring client asks
/// for, and checks only what the length depends on. The client's reading thread uses it to know
/// that it has an update's last byte while its decoding thread is still inflating and drawing
/// the update before (<see cref="ClientCommand"/>); the decoders (<see cref="IRectangleDecoder"/>)
/// read the same bytes again and check everything else.
/// </summary>
/// <remarks>
/// Pure: no zlib stream or palette state is needed to know a length in any of these encodings.
/// ZRLE and Zlib carry a u32 length; Tight and TightPNG a compact length after a control byte,
/// a filter and a palette, except for fills and for basic data under 12 bytes, whose size follows
/// from the rectangle; Hextile is walked tile by tile through its sub-encoding bytes.
/// </remarks>
internal static class PayloadFraming
{
    private const int PixelBytes = 4;
    private const int TightPixelBytes = 3;
    private const int TightMinimumToCompress = 12;

    /// <summary>The most a ZRLE or Zlib rectangle may claim, as the decoders allow.</summary>
    private const uint MaxZlibLength = 1u << 28;

    /// <summary>
    /// Reads the payload of one rectangle in <paramref name="encoding"/> of
    /// <paramref name="width"/>×<paramref name="height"/> pixels from <paramref name="input"/>.
    /// Throws <see cref="InvalidDataException"/> for an encoding this client cannot read or a
    /// payload whose framing is not defined, and <see cref="EndOfStreamException"/> when the
    /// connection ends inside it.
    /// </summary>
    public static void Skip(RfbInput input, int encoding, int width, int height)
    {
        switch (encoding)
        {
            case EncodingType.Raw:
                input.Skip((long)width * height * PixelBytes);
                break;
            case EncodingType.CopyRect:
                input.Skip(4);
                break;
            case EncodingType.Zlib:
            case EncodingType.Zrle:
                uint length = input.ReadU32();
                if (length > MaxZlibLength)
                {
                    throw new InvalidDataException($"A {(encoding == EncodingType.Zrle ? "ZRLE" : "Zlib")} rectangle claims {length} bytes.");
                }

                input.Skip(length);
                break;
            case EncodingType.Hextile:
                SkipHextile(input, width, height);
                break;
            case EncodingType.Tight:
            case EncodingType.TightPng:
                SkipTight(input, encoding, width, height);
                break;
            default:
                throw new InvalidDataException($"The server sent a rectangle in encoding {encoding}, which this client cannot read.");
        }
    }

    private static void SkipHextile(RfbInput input, int width, int height)
    {
        for (int ty = 0; ty < height; ty += 16)
        {
            int th = Math.Min(16, height - ty);
            for (int tx = 0; tx < width; tx += 16)
            {
                int tw = Math.Min(16, width - tx);
                byte sub = input.ReadU8();
                if ((sub & 1) != 0)
                {
                    input.Skip(tw * th * PixelBytes);
                    continue;
                }

                int fixedBytes = ((sub & 2) != 0 ? PixelBytes : 0) + ((sub & 4) != 0 ? PixelBytes : 0);
                input.Skip(fixedBytes);
                if ((sub & 8) != 0)
                {
                    int count = input.ReadU8();
                    input.Skip(count * (((sub & 16) != 0 ? PixelBytes : 0) + 2));
                }
            }
        }
    }

    private static void SkipTight(RfbInput input, int encoding, int width, int height)
    {
        byte control = input.ReadU8();
        int kind = control >> 4;
        if (kind == 8)
        {
            input.Skip(TightPixelBytes);
            return;
        }

        if (kind is 9 or 10)
        {
            if (kind == 10 && encoding != EncodingType.TightPng)
            {
                throw new InvalidDataException("PNG compression (0xA0) came in a Tight rectangle; only TightPNG has it.");
            }

            input.Skip(TightDecoder.TightCompactLength(input));
            return;
        }

        if (kind > 8)
        {
            throw new InvalidDataException($"Tight compression control 0x{control:X2} is not defined.");
        }

        int filter = (kind & 4) != 0 ? input.ReadU8() : 0;
        long dataLength;
        switch (filter)
        {
            case 0:
            case 2:
                dataLength = (long)width * height * TightPixelBytes;
                break;
            case 1:
                int colours = input.ReadU8() + 1;
                input.Skip(colours * TightPixelBytes);
                dataLength = colours == 2 ? (long)((width + 7) / 8) * height : (long)width * height;
                break;
            default:
                throw new InvalidDataException($"Tight filter {filter} is not defined.");
        }

        input.Skip(dataLength < TightMinimumToCompress ? dataLength : TightDecoder.TightCompactLength(input));
    }
}
