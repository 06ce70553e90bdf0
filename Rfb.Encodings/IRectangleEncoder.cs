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
}
