using Rfb.Encodings;
using Rfb.Recording;
using TraceBench.Client;

namespace Rfb.Tests.Encodings;

/// <summary>
/// Decodes encoder output (rectangles, each behind its 12-byte header) with the trace bench's
/// measuring client, which keeps its own zlib streams as a viewer does: for comparing what a
/// client sees when the bytes of two encoders may differ.
/// </summary>
internal static class ClientDecoding
{
    /// <summary>Decodes every rectangle of <paramref name="bytes"/> onto a new framebuffer of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static TraceFramebuffer Decode(ReadOnlySpan<byte> bytes, int encoding, int width, int height)
    {
        var framebuffer = new TraceFramebuffer(width, height);
        IRectangleDecoder decoder = encoding switch
        {
            EncodingType.Tight or EncodingType.TightPng => new TightDecoder(encoding),
            EncodingType.Zrle => new ZrleDecoder(),
            EncodingType.Hextile => new HextileDecoder(),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "No client decoder for this encoding."),
        };

        byte[] all = bytes.ToArray();
        var input = new RfbInput(new MemoryStream(all));
        try
        {
            while (input.Position < all.Length)
            {
                int x = input.ReadU16();
                int y = input.ReadU16();
                int w = input.ReadU16();
                int h = input.ReadU16();
                int type = input.ReadS32();
                Assert.Equal(encoding, type);
                decoder.Decode(input, x, y, w, h, framebuffer);
            }
        }
        finally
        {
            (decoder as IDisposable)?.Dispose();
        }

        return framebuffer;
    }
}
