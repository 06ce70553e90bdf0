using System.Buffers;
using Rfb.Encodings;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// Zlib (RFC 6143 §7.7.5, community rfbproto "Zlib Encoding"): u32 length, then that many bytes of
/// one zlib stream kept for the whole connection, inflating to the rectangle as Raw pixels.
/// </summary>
internal sealed class ZlibDecoder : IRectangleDecoder, IDisposable
{
    private readonly ZlibInflater _stream = new();

    public int Encoding => EncodingType.Zlib;

    public bool DecodesPixels => true;

    public void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer)
    {
        uint length = input.ReadU32();
        if (length > 1 << 28)
        {
            throw new InvalidDataException($"A Zlib rectangle claims {length} bytes.");
        }

        _stream.Feed(input, (int)length);
        int rowBytes = width * 4;
        byte[] row = ArrayPool<byte>.Shared.Rent(Math.Max(rowBytes, 1));
        try
        {
            for (int r = 0; r < height; r++)
            {
                _stream.Read(row.AsSpan(0, rowBytes));
                framebuffer.WriteRaw(x, y + r, width, 1, row.AsSpan(0, rowBytes));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(row);
        }
    }

    public void Dispose() => _stream.Dispose();
}
