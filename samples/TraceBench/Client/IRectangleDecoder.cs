using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// Reads one rectangle's payload of one encoding (the 12-byte header is already read) at 32 bpp
/// XRGB8888, the format the measuring client asks for. A decoder that understands the payload
/// writes it into the framebuffer; one that can only find its length skips it.
/// </summary>
internal interface IRectangleDecoder
{
    /// <summary>The encoding number this decoder reads.</summary>
    int Encoding { get; }

    /// <summary>Whether <see cref="Decode"/> writes pixels (false: it only skips the payload).</summary>
    bool DecodesPixels { get; }

    void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer);
}
