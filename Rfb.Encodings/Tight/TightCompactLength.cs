namespace Rfb.Encodings.Tight;

/// <summary>
/// Tight's compact length: 7 bits per byte, least significant first, the top bit set when
/// another byte follows; at most 3 bytes (the third holds 8 bits), so at most 4,194,303.
/// </summary>
internal static class TightCompactLength
{
    public const int MaxValue = (1 << 22) - 1;

    //  value < 2^7:   [0vvvvvvv]
    //  value < 2^14:  [1vvvvvvv][0vvvvvvv]
    //  value < 2^22:  [1vvvvvvv][1vvvvvvv][vvvvvvvv]

    /// <summary>Bytes the compact length of <paramref name="value"/> takes.</summary>
    public static int SizeOf(int value) => value < 128 ? 1 : value < 16384 ? 2 : 3;

    /// <summary>Writes the compact length and returns how many bytes it took.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or over <see cref="MaxValue"/>.</exception>
    public static int Write(Span<byte> destination, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        if (value < 128)
        {
            destination[0] = (byte)value;
            return 1;
        }

        destination[0] = (byte)(value | 0x80);
        if (value < 16384)
        {
            destination[1] = (byte)(value >> 7);
            return 2;
        }

        destination[1] = (byte)((value >> 7) | 0x80);
        destination[2] = (byte)(value >> 14);
        return 3;
    }
}
