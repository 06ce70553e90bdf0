using System.Buffers.Binary;

namespace Rfb.Security;

/// <summary>
/// The Data Encryption Standard block cipher (FIPS 46-3), single DES only, as VNC Authentication
/// needs it: two ECB blocks per handshake and one block to read a vncpasswd file.
/// </summary>
/// <remarks>
/// Why not <see cref="System.Security.Cryptography.DES"/>: it was measured on .NET 10 / Linux
/// and rejected for two reasons.
/// <list type="number">
///   <item>It refuses DES weak and semi-weak keys ("Specified key is a known weak key"), and
///   VNC's key derivation produces them from ordinary passwords: "xxxxpppp" becomes the key
///   1E1E1E1E0E0E0E0E, which is the weak key 1F1F1F1F0E0E0E0E once parity bits are ignored. Every
///   other VNC implementation accepts that password, so we must too.</item>
///   <item>On Linux it goes through OpenSSL 3, where single DES lives only in the "legacy"
///   provider (ossl-modules/legacy.so). .NET loads that provider itself, but where it is absent
///   (stripped or FIPS-configured OpenSSL) every DES call throws "unsupported".</item>
/// </list>
/// DES is broken as a cipher; VNC Authentication is only as strong as the protocol allows, and
/// it should run inside TLS or an SSH tunnel. This implementation is therefore written for
/// clarity, not speed, but it does not allocate: a key schedule is 16 <see cref="ulong"/>s on
/// the caller's stack.
/// <para>
/// Bit numbering follows the standard: bit 1 is the most significant bit of the first byte.
/// Every table below is typed in from FIPS 46-3 (and its predecessors) and holds 1-based bit
/// positions of the table's input, listed in output order.
/// </para>
/// </remarks>
internal static class Des
{
    public const int BlockSize = 8;
    public const int KeySize = 8;
    public const int RoundCount = 16;

    /// <summary>Encrypts whole 8-byte blocks independently (ECB) under an 8-byte key.</summary>
    public static void EncryptEcb(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        TransformEcb(key, input, output, decrypt: false);
    }

    /// <summary>Decrypts whole 8-byte blocks independently (ECB) under an 8-byte key.</summary>
    public static void DecryptEcb(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        TransformEcb(key, input, output, decrypt: true);
    }

    private static void TransformEcb(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output, bool decrypt)
    {
        if (input.Length % BlockSize != 0)
        {
            throw new ArgumentException("DES input must be a whole number of 8-byte blocks.", nameof(input));
        }

        if (output.Length < input.Length)
        {
            throw new ArgumentException("The output is shorter than the input.", nameof(output));
        }

        Span<ulong> subkeys = stackalloc ulong[RoundCount];
        ExpandKey(key, subkeys);
        for (int offset = 0; offset < input.Length; offset += BlockSize)
        {
            ulong block = BinaryPrimitives.ReadUInt64BigEndian(input.Slice(offset, BlockSize));
            BinaryPrimitives.WriteUInt64BigEndian(output.Slice(offset, BlockSize), TransformBlock(subkeys, block, decrypt));
        }

        subkeys.Clear();
    }

    /// <summary>
    /// Computes the 16 round keys K1..K16 (48 bits each, right-aligned). The low bit of each key
    /// byte is a parity bit and is ignored, as the standard says.
    /// </summary>
    public static void ExpandKey(ReadOnlySpan<byte> key, Span<ulong> subkeys)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("A DES key is exactly 8 bytes.", nameof(key));
        }

        if (subkeys.Length < RoundCount)
        {
            throw new ArgumentException("A DES key schedule needs 16 entries.", nameof(subkeys));
        }

        ulong permuted = Permute(BinaryPrimitives.ReadUInt64BigEndian(key), 64, PermutedChoice1);
        uint c = (uint)(permuted >> 28) & 0x0FFFFFFF;
        uint d = (uint)permuted & 0x0FFFFFFF;
        for (int round = 0; round < RoundCount; round++)
        {
            int shift = LeftShifts[round];
            c = ((c << shift) | (c >> (28 - shift))) & 0x0FFFFFFF;
            d = ((d << shift) | (d >> (28 - shift))) & 0x0FFFFFFF;
            subkeys[round] = Permute(((ulong)c << 28) | d, 56, PermutedChoice2);
        }
    }

    /// <summary>Enciphers (or deciphers, using the round keys in reverse) one 64-bit block.</summary>
    public static ulong TransformBlock(ReadOnlySpan<ulong> subkeys, ulong block, bool decrypt)
    {
        ulong permuted = Permute(block, 64, InitialPermutation);
        uint left = (uint)(permuted >> 32);
        uint right = (uint)permuted;
        for (int round = 0; round < RoundCount; round++)
        {
            ulong subkey = subkeys[decrypt ? RoundCount - 1 - round : round];
            uint next = left ^ Feistel(right, subkey);
            left = right;
            right = next;
        }

        // The last round's halves are not swapped: the preoutput block is R16 L16.
        return Permute(((ulong)right << 32) | left, 64, FinalPermutation);
    }

    /// <summary>The cipher function f(R, K): expand, mix in the key, substitute, permute.</summary>
    private static uint Feistel(uint right, ulong subkey)
    {
        ulong mixed = Permute(right, 32, Expansion) ^ subkey;
        uint substituted = 0;
        for (int box = 0; box < 8; box++)
        {
            int six = (int)(mixed >> (42 - (6 * box))) & 0x3F;
            int row = ((six & 0x20) >> 4) | (six & 0x01);
            int column = (six >> 1) & 0x0F;
            substituted = (substituted << 4) | SBoxes[(box * 64) + (row * 16) + column];
        }

        return (uint)Permute(substituted, 32, Permutation);
    }

    /// <summary>
    /// Output bit i (counted from the most significant bit of the result) is input bit table[i],
    /// where input bit 1 is the most significant of <paramref name="width"/> bits.
    /// </summary>
    private static ulong Permute(ulong value, int width, ReadOnlySpan<byte> table)
    {
        ulong result = 0;
        foreach (byte position in table)
        {
            result = (result << 1) | ((value >> (width - position)) & 1);
        }

        return result;
    }

    // IP
    private static ReadOnlySpan<byte> InitialPermutation =>
    [
        58, 50, 42, 34, 26, 18, 10, 2,
        60, 52, 44, 36, 28, 20, 12, 4,
        62, 54, 46, 38, 30, 22, 14, 6,
        64, 56, 48, 40, 32, 24, 16, 8,
        57, 49, 41, 33, 25, 17, 9, 1,
        59, 51, 43, 35, 27, 19, 11, 3,
        61, 53, 45, 37, 29, 21, 13, 5,
        63, 55, 47, 39, 31, 23, 15, 7,
    ];

    // IP^-1
    private static ReadOnlySpan<byte> FinalPermutation =>
    [
        40, 8, 48, 16, 56, 24, 64, 32,
        39, 7, 47, 15, 55, 23, 63, 31,
        38, 6, 46, 14, 54, 22, 62, 30,
        37, 5, 45, 13, 53, 21, 61, 29,
        36, 4, 44, 12, 52, 20, 60, 28,
        35, 3, 43, 11, 51, 19, 59, 27,
        34, 2, 42, 10, 50, 18, 58, 26,
        33, 1, 41, 9, 49, 17, 57, 25,
    ];

    // E (E bit-selection table): 32 bits to 48.
    private static ReadOnlySpan<byte> Expansion =>
    [
        32, 1, 2, 3, 4, 5,
        4, 5, 6, 7, 8, 9,
        8, 9, 10, 11, 12, 13,
        12, 13, 14, 15, 16, 17,
        16, 17, 18, 19, 20, 21,
        20, 21, 22, 23, 24, 25,
        24, 25, 26, 27, 28, 29,
        28, 29, 30, 31, 32, 1,
    ];

    // P
    private static ReadOnlySpan<byte> Permutation =>
    [
        16, 7, 20, 21,
        29, 12, 28, 17,
        1, 15, 23, 26,
        5, 18, 31, 10,
        2, 8, 24, 14,
        32, 27, 3, 9,
        19, 13, 30, 6,
        22, 11, 4, 25,
    ];

    // PC-1: 64 key bits (parity bits 8, 16, ... 64 dropped) to C0 (first 28) and D0 (last 28).
    private static ReadOnlySpan<byte> PermutedChoice1 =>
    [
        57, 49, 41, 33, 25, 17, 9,
        1, 58, 50, 42, 34, 26, 18,
        10, 2, 59, 51, 43, 35, 27,
        19, 11, 3, 60, 52, 44, 36,
        63, 55, 47, 39, 31, 23, 15,
        7, 62, 54, 46, 38, 30, 22,
        14, 6, 61, 53, 45, 37, 29,
        21, 13, 5, 28, 20, 12, 4,
    ];

    // PC-2: CnDn (56 bits) to Kn (48 bits).
    private static ReadOnlySpan<byte> PermutedChoice2 =>
    [
        14, 17, 11, 24, 1, 5,
        3, 28, 15, 6, 21, 10,
        23, 19, 12, 4, 26, 8,
        16, 7, 27, 20, 13, 2,
        41, 52, 31, 37, 47, 55,
        30, 40, 51, 45, 33, 48,
        44, 49, 39, 56, 34, 53,
        46, 42, 50, 36, 29, 32,
    ];

    // Left shifts of C and D before each round.
    private static ReadOnlySpan<byte> LeftShifts => [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

    // S1..S8, each 4 rows of 16 columns; the row is bits 1 and 6 of the 6-bit input, the column
    // bits 2 to 5.
    internal static ReadOnlySpan<byte> SBoxes =>
    [
        // S1
        14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
        0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
        4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
        15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
        // S2
        15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
        3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
        0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
        13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
        // S3
        10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
        13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
        13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
        1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
        // S4
        7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
        13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
        10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
        3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
        // S5
        2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
        14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
        4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
        11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
        // S6
        12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
        10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
        9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
        4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
        // S7
        4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
        13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
        1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
        6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
        // S8
        13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
        1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
        7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
        2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
    ];
}
