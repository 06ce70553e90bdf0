namespace Rfb.Recording;

/// <summary>Constants of the FBS 001.000 container (as written by rfbproxy and read by TigerVNC's tools).</summary>
internal static class FbsFormat
{
    /// <summary>The 12-byte file header.</summary>
    public static ReadOnlySpan<byte> Header => "FBS 001.000\n"u8;

    /// <summary>The first four bytes of a zstd frame (RFC 8878, 0xFD2FB528 little-endian).</summary>
    public static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xB5, 0x2F, 0xFD];

    /// <summary>The largest zstd window accepted when decompressing (2^27, as <c>zstd --long=27</c>).</summary>
    public const int ZstdWindowLog = 27;
}
