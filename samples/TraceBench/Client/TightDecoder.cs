using Rfb.Encodings;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// Tight and TightPNG (community rfbproto, "Tight Encoding", "TightPNG Encoding") at 32 bpp depth
/// 24, where a TPIXEL is 3 bytes: red, green, blue. The compression-control byte's low nibble resets
/// zlib streams 0–3; its high nibble is fill (8), JPEG (9), PNG (10, TightPNG) or basic compression
/// on stream <c>n &amp; 3</c>, with an explicit filter (copy, palette, gradient) when bit 2 is set.
/// Basic data under 12 bytes is sent as is; longer data as a compact length and zlib bytes.
/// </summary>
internal sealed class TightDecoder : IRectangleDecoder, IDisposable
{
    private const int TightPixelBytes = 3;
    private const int MinimumToCompress = 12;
    private readonly ZlibInflater[] _streams = [new(), new(), new(), new()];
    private readonly uint[] _palette = new uint[256];
    private JpegDecompressor? _jpeg;
    private byte[] _data = new byte[64 * 1024];
    private byte[] _pixels = new byte[64 * 1024];

    public TightDecoder(int encoding)
    {
        Encoding = encoding;
    }

    public int Encoding { get; }

    public bool DecodesPixels => true;

    /// <summary>Rectangles decoded from JPEG so far (their pixels are approximate).</summary>
    public long JpegRectangles { get; private set; }

    public void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer)
    {
        byte control = input.ReadU8();
        for (int i = 0; i < 4; i++)
        {
            if ((control & (1 << i)) != 0)
            {
                _streams[i].Reset();
            }
        }

        int kind = control >> 4;
        int pixelBytes = width * height * 4;
        Span<byte> pixels = Rent(ref _pixels, pixelBytes);
        if (kind == 8)
        {
            Span<byte> tpixel = stackalloc byte[TightPixelBytes];
            input.ReadExactly(tpixel);
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(pixels).Fill(ToPixel(tpixel));
        }
        else if (kind is 9 or 10)
        {
            if (kind == 10 && Encoding != EncodingType.TightPng)
            {
                throw new InvalidDataException("PNG compression (0xA0) came in a Tight rectangle; only TightPNG has it.");
            }

            int length = TightCompactLength(input);
            Span<byte> picture = Rent(ref _data, length);
            input.ReadExactly(picture);
            if (kind == 9)
            {
                _jpeg ??= new JpegDecompressor();
                _jpeg.Decode(picture, width, height, pixels);
                JpegRectangles++;
            }
            else
            {
                PngPictureDecoder.Decode(picture, width, height, pixels);
            }
        }
        else if (kind < 8)
        {
            DecodeBasic(input, kind, width, height, pixels);
        }
        else
        {
            throw new InvalidDataException($"Tight compression control 0x{control:X2} is not defined.");
        }

        framebuffer.WriteRaw(x, y, width, height, pixels);
    }

    public void Dispose()
    {
        foreach (ZlibInflater s in _streams)
        {
            s.Dispose();
        }

        _jpeg?.Dispose();
    }

    /// <summary>1 to 3 bytes, 7 bits each, least significant first; the high bit says another follows.</summary>
    internal static int TightCompactLength(RfbInput input)
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

    private void DecodeBasic(RfbInput input, int kind, int width, int height, Span<byte> pixels)
    {
        int filter = (kind & 4) != 0 ? input.ReadU8() : 0;
        int colours = 0;
        int dataLength;
        switch (filter)
        {
            case 0:
            case 2:
                dataLength = width * height * TightPixelBytes;
                break;
            case 1:
                colours = input.ReadU8() + 1;
                Span<byte> tpixel = stackalloc byte[TightPixelBytes];
                for (int i = 0; i < colours; i++)
                {
                    input.ReadExactly(tpixel);
                    _palette[i] = ToPixel(tpixel);
                }

                dataLength = colours == 2 ? ((width + 7) / 8) * height : width * height;
                break;
            default:
                throw new InvalidDataException($"Tight filter {filter} is not defined.");
        }

        Span<byte> data = Rent(ref _data, dataLength);
        if (dataLength < MinimumToCompress)
        {
            input.ReadExactly(data);
        }
        else
        {
            int length = TightCompactLength(input);
            ZlibInflater stream = _streams[kind & 3];
            stream.Feed(input, length);
            stream.Read(data);
        }

        Span<uint> target = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(pixels);
        switch (filter)
        {
            case 0:
                for (int i = 0; i < target.Length; i++)
                {
                    target[i] = ToPixel(data.Slice(i * TightPixelBytes, TightPixelBytes));
                }

                break;
            case 1 when colours == 2:
                int rowBytes = (width + 7) / 8;
                for (int r = 0; r < height; r++)
                {
                    for (int c = 0; c < width; c++)
                    {
                        int bit = (data[(r * rowBytes) + (c >> 3)] >> (7 - (c & 7))) & 1;
                        target[(r * width) + c] = _palette[bit];
                    }
                }

                break;
            case 1:
                for (int i = 0; i < target.Length; i++)
                {
                    if (data[i] >= colours)
                    {
                        throw new InvalidDataException($"A Tight palette index {data[i]} is outside its {colours} colours.");
                    }

                    target[i] = _palette[data[i]];
                }

                break;
            default:
                Gradient(data, width, height, target);
                break;
        }
    }

    /// <summary>
    /// Undoes the gradient filter per component: the prediction is left + above − above-left,
    /// clamped to 0..255 (0 outside the rectangle), and the data is the difference modulo 256.
    /// </summary>
    private static void Gradient(ReadOnlySpan<byte> data, int width, int height, Span<uint> target)
    {
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                uint pixel = 0;
                for (int k = 0; k < 3; k++)
                {
                    int shift = 16 - (8 * k); // red, green, blue
                    int left = c > 0 ? (int)(target[(r * width) + c - 1] >> shift) & 0xFF : 0;
                    int above = r > 0 ? (int)(target[((r - 1) * width) + c] >> shift) & 0xFF : 0;
                    int aboveLeft = r > 0 && c > 0 ? (int)(target[((r - 1) * width) + c - 1] >> shift) & 0xFF : 0;
                    int predicted = Math.Clamp(left + above - aboveLeft, 0, 255);
                    int value = (predicted + data[(((r * width) + c) * TightPixelBytes) + k]) & 0xFF;
                    pixel |= (uint)value << shift;
                }

                target[(r * width) + c] = pixel;
            }
        }
    }

    private static uint ToPixel(ReadOnlySpan<byte> tpixel) => ((uint)tpixel[0] << 16) | ((uint)tpixel[1] << 8) | tpixel[2];

    private static Span<byte> Rent(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        return buffer.AsSpan(0, length);
    }
}
