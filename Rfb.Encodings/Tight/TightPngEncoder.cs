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
    private readonly TightRectangleWriter _writer;

    /// <summary>Creates an encoder that uses up to <see cref="Environment.ProcessorCount"/> threads per rectangle.</summary>
    public TightPngEncoder()
        : this(Environment.ProcessorCount)
    {
    }

    /// <summary>
    /// Creates an encoder that uses up to <paramref name="maxParallelism"/> threads per rectangle
    /// (1: only the calling thread). The bytes written are the same for any value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxParallelism"/> is less than 1.</exception>
    public TightPngEncoder(int maxParallelism)
    {
        _writer = new TightRectangleWriter(png: true, maxParallelism);
    }

    /// <summary>The most threads one <see cref="Encode"/> call uses.</summary>
    public int MaxParallelism => _writer.MaxParallelism;

    /// <inheritdoc/>
    public int Encoding => EncodingType.TightPng;

    /// <inheritdoc/>
    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
        => _writer.Encode(rect, x, y, translator, settings, output);

    /// <inheritdoc/>
    public bool LastEncodeWasLossy => _writer.LastEncodeWasLossy;

    /// <inheritdoc/>
    /// <remarks>The pieces of all the rectangles are prepared in parallel and each zlib stream compresses its pieces in order.</remarks>
    public int EncodeBatch(PixelView surface, ReadOnlySpan<BatchRect> rects, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output, Span<bool> lossy)
        => _writer.EncodeBatch(surface, rects, translator, settings, output, lossy);

    /// <summary>Releases the JPEG compressor and buffers.</summary>
    public void Dispose() => _writer.Dispose();
}
