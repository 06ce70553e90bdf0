using System.Buffers;

namespace Rfb.Encodings;

/// <summary>Raw as an <see cref="IRectangleEncoder"/>: one rectangle, header and pixels, no state.</summary>
public sealed class RawRectangleEncoder : IRectangleEncoder
{
    public int Encoding => EncodingType.Raw;

    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        RectangleHeader.Write(output, x, y, rect.Width, rect.Height, EncodingType.Raw);
        RawEncoder.Encode(rect, translator, output);
        return 1;
    }

    public void Dispose()
    {
    }
}
