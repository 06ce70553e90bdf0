using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// Encodings whose payload is a u32 length and that many zlib bytes (Zlib, ZRLE): the bytes are
/// counted and skipped. Decoding them needs the session's zlib stream; until a decoder is added
/// here, the final-frame check does not cover such rectangles.
/// </summary>
internal sealed class LengthPrefixedSkipper(int encoding) : IRectangleDecoder
{
    public int Encoding { get; } = encoding;

    public bool DecodesPixels => false;

    public void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer)
    {
        uint length = input.ReadU32();
        input.Skip(length);
    }
}
