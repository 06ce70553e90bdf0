using System.Buffers.Binary;
using Rfb.Encodings;
using Rfb.Tests.Protocol;

namespace Rfb.Tests.MultiHead;

/// <summary>One rectangle of a FramebufferUpdate as a client reads it (32 bpp Raw pixels only).</summary>
internal sealed record UpdateRect(int X, int Y, int Width, int Height, int Encoding, byte[] Payload)
{
    /// <summary>The screens of an ExtendedDesktopSize rectangle: id, x, y, width, height, flags.</summary>
    public (uint Id, int X, int Y, int Width, int Height, uint Flags)[] Screens()
    {
        Assert.Equal(EncodingType.ExtendedDesktopSize, Encoding);
        int count = Payload[0];
        var screens = new (uint, int, int, int, int, uint)[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> s = Payload.AsSpan(4 + 16 * i, 16);
            screens[i] = (BinaryPrimitives.ReadUInt32BigEndian(s), BinaryPrimitives.ReadUInt16BigEndian(s[4..]), BinaryPrimitives.ReadUInt16BigEndian(s[6..]),
                BinaryPrimitives.ReadUInt16BigEndian(s[8..]), BinaryPrimitives.ReadUInt16BigEndian(s[10..]), BinaryPrimitives.ReadUInt32BigEndian(s[12..]));
        }

        return screens;
    }

    /// <summary>The canonical pixel at (<paramref name="x"/>, <paramref name="y"/>) of a Raw rectangle (desktop coordinates).</summary>
    public uint Pixel(int x, int y) => BinaryPrimitives.ReadUInt32LittleEndian(Payload.AsSpan(((y - Y) * Width + (x - X)) * 4));
}

/// <summary>Reads updates the way RFC 6143 and rfbproto lay them out, independently of the server's writers.</summary>
internal static class UpdateReader
{
    public static async Task<List<UpdateRect>> ReadUpdateAsync(this TestClient client)
    {
        byte[] header = await client.ReadExactAsync(4);
        Assert.Equal(0, header[0]);
        int count = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        var rects = new List<UpdateRect>();
        for (int i = 0; count == 0xFFFF || i < count; i++)
        {
            byte[] h = await client.ReadExactAsync(12);
            int x = BinaryPrimitives.ReadUInt16BigEndian(h), y = BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(2));
            int w = BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(4)), hh = BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(6));
            int encoding = BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(8));
            byte[] payload;
            switch (encoding)
            {
                case EncodingType.Raw:
                    payload = await client.ReadExactAsync(w * hh * 4);
                    break;
                case EncodingType.CopyRect:
                    payload = await client.ReadExactAsync(4);
                    break;
                case EncodingType.ExtendedDesktopSize:
                    byte[] n = await client.ReadExactAsync(4);
                    payload = [.. n, .. await client.ReadExactAsync(16 * n[0])];
                    break;
                case EncodingType.Cursor:
                    payload = await client.ReadExactAsync(w * hh * 4 + (w + 7) / 8 * hh);
                    break;
                case EncodingType.VMwareCursor:
                    byte[] type = await client.ReadExactAsync(2);
                    Assert.Equal(1, type[0]);
                    payload = await client.ReadExactAsync(w * hh * 4);
                    break;
                case EncodingType.DesktopSize:
                case EncodingType.QemuExtendedKeyEvent:
                    payload = [];
                    break;
                case EncodingType.LastRect:
                    return rects;
                default:
                    throw new InvalidDataException($"Unexpected encoding {encoding}.");
            }

            rects.Add(new UpdateRect(x, y, w, hh, encoding, payload));
        }

        return rects;
    }

    /// <summary>SetDesktopSize (rfbproto), built by hand: type 251, pad, width, height, count, pad, then 16-byte screens.</summary>
    public static byte[] SetDesktopSize(int width, int height, params (uint Id, int X, int Y, int Width, int Height)[] screens)
    {
        var b = new byte[8 + 16 * screens.Length];
        b[0] = 251;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), (ushort)height);
        b[6] = (byte)screens.Length;
        for (int i = 0; i < screens.Length; i++)
        {
            Span<byte> s = b.AsSpan(8 + 16 * i);
            BinaryPrimitives.WriteUInt32BigEndian(s, screens[i].Id);
            BinaryPrimitives.WriteUInt16BigEndian(s[4..], (ushort)screens[i].X);
            BinaryPrimitives.WriteUInt16BigEndian(s[6..], (ushort)screens[i].Y);
            BinaryPrimitives.WriteUInt16BigEndian(s[8..], (ushort)screens[i].Width);
            BinaryPrimitives.WriteUInt16BigEndian(s[10..], (ushort)screens[i].Height);
        }

        return b;
    }

    /// <summary>Handshake, SetEncodings, and a first non-incremental request; returns the first update.</summary>
    public static async Task<List<UpdateRect>> StartAsync(this TestClient client, params int[] encodings)
    {
        (int width, int height, _) = await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.SetEncodings(encodings));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, width, height));
        return await client.ReadUpdateAsync();
    }
}
