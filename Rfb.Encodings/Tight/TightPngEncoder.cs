using System.Buffers;

namespace Rfb.Encodings.Tight;

/// <summary>
/// The TightPNG encoding (-260), which noVNC prefers: each rectangle is a fill, a JPEG (when
/// the client asked for a quality and libjpeg-turbo is available) or a PNG image (a palette PNG
/// for few colours, RGB otherwise). Nothing depends on earlier rectangles.
/// </summary>
/// <remarks>One instance per session; call it from one thread at a time.</remarks>
public sealed class TightPngEncoder : IRectangleEncoder
{
    private readonly TightRectangleWriter _writer = new(png: true);

    /// <inheritdoc/>
    public int Encoding => EncodingType.TightPng;

    /// <inheritdoc/>
    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
        => _writer.Encode(rect, x, y, translator, settings, output);

    /// <inheritdoc/>
    public bool LastEncodeWasLossy => _writer.LastEncodeWasLossy;

    /// <summary>Releases the JPEG compressor and buffers.</summary>
    public void Dispose() => _writer.Dispose();
}
