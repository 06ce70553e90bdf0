using System.Buffers;

namespace Rfb.Encodings.Tight;

/// <summary>
/// The Tight encoding (7, community rfbproto): fill, mono and indexed palettes, full colour
/// with or without the gradient filter on four persistent zlib streams, and JPEG when the client
/// sent a quality level or fine quality and libjpeg-turbo is available
/// (<see cref="Jpeg.TurboJpeg.IsAvailable"/>).
/// </summary>
/// <remarks>
/// One instance per session (it owns that session's zlib streams); call it from one thread at a
/// time. A new instance resets the client's streams on their first use, so a session may replace
/// its encoder at any time, for example after SetEncodings. Solid areas of 16384 pixels or more are
/// sent as fills; rectangles wider than 2048 pixels or holding more than 65536 other pixels are
/// split. The sub-rectangles of one call are encoded in parallel (see <see cref="MaxParallelism"/>).
/// </remarks>
public sealed class TightEncoder : IRectangleEncoder
{
    private readonly TightRectangleWriter _writer;

    /// <summary>Creates an encoder that uses up to <see cref="Environment.ProcessorCount"/> threads per rectangle.</summary>
    public TightEncoder()
        : this(Environment.ProcessorCount)
    {
    }

    /// <summary>
    /// Creates an encoder that uses up to <paramref name="maxParallelism"/> threads per rectangle
    /// (1: only the calling thread). What a client decodes is the same for any value; the bytes
    /// are those of one thread unless a call's zlib data is compressed in segments at once
    /// (large calls on several threads), and always the same for the same value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxParallelism"/> is less than 1.</exception>
    public TightEncoder(int maxParallelism)
    {
        _writer = new TightRectangleWriter(png: false, maxParallelism);
    }

    /// <summary>The most threads one <see cref="Encode"/> call uses.</summary>
    public int MaxParallelism => _writer.MaxParallelism;

    /// <inheritdoc/>
    public int Encoding => EncodingType.Tight;

    /// <inheritdoc/>
    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
        => _writer.Encode(rect, x, y, translator, settings, output);

    /// <inheritdoc/>
    public bool LastEncodeWasLossy => _writer.LastEncodeWasLossy;

    /// <summary>The bytes of data in each segment of the full-colour stream in the last call that compressed it in segments (for tests).</summary>
    internal IReadOnlyList<long> LastFullColourSegmentLengths => _writer.LastFullColourSegmentLengths;

    /// <inheritdoc/>
    /// <remarks>The pieces of all the rectangles are prepared in parallel and each zlib stream compresses its pieces in order.</remarks>
    public int EncodeBatch(PixelView surface, ReadOnlySpan<BatchRect> rects, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output, Span<bool> lossy)
        => _writer.EncodeBatch(surface, rects, translator, settings, output, lossy);

    /// <summary>Releases the zlib streams and the JPEG compressor.</summary>
    public void Dispose() => _writer.Dispose();
}
