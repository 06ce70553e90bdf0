using System.Buffers;

namespace Rfb.Encodings;

/// <summary>
/// One RFB encoding for one session. It keeps that session's state (zlib streams) between
/// rectangles, so a session uses one instance per encoding and calls it from one thread at a time.
/// </summary>
public interface IRectangleEncoder : IDisposable
{
    /// <summary>The encoding number (<see cref="EncodingType"/>) this encoder writes.</summary>
    int Encoding { get; }

    /// <summary>
    /// Encodes <paramref name="rect"/> (canonical pixels), whose top-left is at
    /// (<paramref name="x"/>, <paramref name="y"/>) in the framebuffer, as one or more complete
    /// rectangles (12-byte header and payload) in the client's pixel format, and returns how many
    /// rectangles it wrote. An encoder may split a rectangle (Tight's 2048-pixel width limit).
    /// </summary>
    int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output);

    /// <summary>
    /// Whether the last <see cref="Encode"/> sent any of its pixels lossily (JPEG). The session
    /// re-sends such areas losslessly once they have stayed unchanged and the link is idle.
    /// </summary>
    bool LastEncodeWasLossy => false;

    /// <summary>
    /// Encodes the rectangles <paramref name="rects"/> of <paramref name="surface"/> in order and
    /// returns how many rectangles it wrote. The bytes are exactly those of one
    /// <see cref="Encode"/> call per rectangle in that order, and <paramref name="lossy"/>[i] is
    /// what <see cref="LastEncodeWasLossy"/> would say after the i-th call. Encoders that can work
    /// on several rectangles at once (Tight, TightPNG and ZRLE) spread the batch over their
    /// threads; the others encode one rectangle after the other.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="lossy"/> is shorter than <paramref name="rects"/>.</exception>
    int EncodeBatch(PixelView surface, ReadOnlySpan<BatchRect> rects, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output, Span<bool> lossy)
    {
        if (lossy.Length < rects.Length)
        {
            throw new ArgumentException("One lossy flag is needed per rectangle.", nameof(lossy));
        }

        int count = 0;
        for (int i = 0; i < rects.Length; i++)
        {
            BatchRect r = rects[i];
            count += Encode(surface.Slice(r.SourceX, r.SourceY, r.Width, r.Height), r.X, r.Y, translator, settings, output);
            lossy[i] = LastEncodeWasLossy;
        }

        return count;
    }
}
