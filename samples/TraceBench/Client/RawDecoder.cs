using System.Buffers;
using Rfb.Encodings;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>Raw (RFC 6143 §7.7.1): <c>width * height</c> pixels of 4 bytes, row by row.</summary>
internal sealed class RawDecoder : IRectangleDecoder
{
    public int Encoding => EncodingType.Raw;

    public bool DecodesPixels => true;

    public void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer)
    {
        int rowBytes = width * 4;
        byte[] row = ArrayPool<byte>.Shared.Rent(Math.Max(rowBytes, 1));
        try
        {
            for (int r = 0; r < height; r++)
            {
                input.ReadExactly(row.AsSpan(0, rowBytes));
                framebuffer.WriteRaw(x, y + r, width, 1, row.AsSpan(0, rowBytes));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(row);
        }
    }
}
