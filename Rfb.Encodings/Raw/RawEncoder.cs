using System.Buffers;

namespace Rfb.Encodings;

/// <summary>
/// The Raw encoding (RFC 6143 §7.7.1): the rectangle's pixels in the client's format, rows top
/// to bottom, each row left to right, with nothing around them.
/// </summary>
public static class RawEncoder
{
    // Raw rectangle data (the 12-byte rectangle header is the session's):
    // +------------------------------------------------------+
    // | width * height PIXELs, bytesPerPixel bytes each       |
    // +------------------------------------------------------+

    /// <summary>The number of bytes <see cref="Encode"/> writes for a rectangle.</summary>
    public static long EncodedLength(int width, int height, PixelFormat format) => (long)width * height * format.BytesPerPixel;

    /// <summary>
    /// Writes the Raw pixel data of <paramref name="source"/> to <paramref name="output"/>, one
    /// <see cref="IBufferWriter{T}.GetSpan"/> and <see cref="IBufferWriter{T}.Advance"/> per row.
    /// The rectangle header is not written.
    /// </summary>
    public static void Encode(PixelView source, PixelTranslator translator, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentNullException.ThrowIfNull(output);
        if (source.IsEmpty)
        {
            return;
        }

        int rowBytes = source.Width * translator.BytesPerPixel;
        for (int y = 0; y < source.Height; y++)
        {
            Span<byte> span = output.GetSpan(rowBytes);
            translator.TranslateRow(source.Row(y), span);
            output.Advance(rowBytes);
        }
    }
}
