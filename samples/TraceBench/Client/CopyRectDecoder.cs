using Rfb.Encodings;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>CopyRect (RFC 6143 §7.7.2): u16 source x, u16 source y.</summary>
internal sealed class CopyRectDecoder : IRectangleDecoder
{
    public int Encoding => EncodingType.CopyRect;

    public bool DecodesPixels => true;

    public void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer)
    {
        int sourceX = input.ReadU16();
        int sourceY = input.ReadU16();
        framebuffer.Copy(sourceX, sourceY, x, y, width, height);
    }
}
