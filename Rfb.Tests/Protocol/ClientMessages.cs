using System.Buffers.Binary;

namespace Rfb.Tests.Protocol;

/// <summary>Client messages built by hand from RFC 6143 §7.5, independent of the server's code.</summary>
internal static class ClientMessages
{
    public static byte[] SetEncodings(params int[] encodings)
    {
        var b = new byte[4 + 4 * encodings.Length];
        b[0] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)encodings.Length);
        for (int i = 0; i < encodings.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), encodings[i]);
        }

        return b;
    }

    public static byte[] UpdateRequest(bool incremental, int x, int y, int width, int height)
    {
        var b = new byte[10];
        b[0] = 3;
        b[1] = incremental ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), (ushort)y);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(8), (ushort)height);
        return b;
    }

    public static byte[] KeyEvent(bool down, uint keysym)
    {
        var b = new byte[8];
        b[0] = 4;
        b[1] = down ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), keysym);
        return b;
    }

    public static byte[] PointerEvent(int buttons, int x, int y)
    {
        var b = new byte[6];
        b[0] = 5;
        b[1] = (byte)buttons;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), (ushort)y);
        return b;
    }

    public static byte[] ClientCutText(byte[] latin1)
    {
        var b = new byte[8 + latin1.Length];
        b[0] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), (uint)latin1.Length);
        latin1.CopyTo(b, 8);
        return b;
    }

    public static byte[] QemuExtendedKey(bool down, uint keysym, uint keycode)
    {
        var b = new byte[12];
        b[0] = 255;
        b[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), down ? (ushort)1 : (ushort)0);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), keysym);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), keycode);
        return b;
    }

    public static byte[] SetPixelFormat(byte[] sixteen)
    {
        var b = new byte[20];
        b[0] = 0;
        sixteen.CopyTo(b, 4);
        return b;
    }
}
