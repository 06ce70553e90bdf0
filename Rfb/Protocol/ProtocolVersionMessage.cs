using System.Buffers;

namespace Rfb.Protocol;

/// <summary>
/// The ProtocolVersion message (RFC 6143 §7.1.1): twelve bytes, <c>"RFB xxx.yyy\n"</c>.
/// </summary>
internal static class ProtocolVersionMessage
{
    public const int Length = 12;

    /// <summary>What the server offers: the highest version it speaks.</summary>
    public static ReadOnlySpan<byte> ServerOffer => "RFB 003.008\n"u8;

    /// <summary>
    /// Reads the client's version. 3.3, 3.7 and 3.8 are taken as they are; any other well-formed
    /// version is answered as 3.3, as RFC 6143 §7.1.1 tells servers to do (UltraVNC's 3.4/3.6,
    /// Apple's 3.889, future majors). A malformed string is a protocol error.
    /// </summary>
    //  +----------------------------------+
    //  | "RFB " | 3 digits | "." | 3 digits | "\n" |   12 bytes
    //  +----------------------------------+
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out ProtocolVersion version, out bool wasKnown)
    {
        version = default;
        wasKnown = false;
        if (buffer.Length < Length)
        {
            return false;
        }

        Span<byte> b = stackalloc byte[Length];
        buffer.Slice(0, Length).CopyTo(b);
        if (!b.StartsWith("RFB "u8) || b[7] != (byte)'.' || b[11] != (byte)'\n'
            || !TryDigits(b.Slice(4, 3), out int major) || !TryDigits(b.Slice(8, 3), out int minor))
        {
            throw new RfbProtocolException("The client's ProtocolVersion is not of the form \"RFB xxx.yyy\\n\".");
        }

        buffer = buffer.Slice(Length);
        (version, wasKnown) = (major, minor) switch
        {
            (3, 3) => (ProtocolVersion.V3_3, true),
            (3, 7) => (ProtocolVersion.V3_7, true),
            (3, 8) => (ProtocolVersion.V3_8, true),
            _ => (ProtocolVersion.V3_3, false),
        };
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (byte d in digits)
        {
            if (d < (byte)'0' || d > (byte)'9')
            {
                return false;
            }

            value = value * 10 + (d - '0');
        }

        return true;
    }
}
