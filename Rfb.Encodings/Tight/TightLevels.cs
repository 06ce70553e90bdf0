namespace Rfb.Encodings.Tight;

/// <summary>
/// What each Tight compress level (0..9) means for the encoders: the zlib level of the four
/// streams and of PNG data, and how a rectangle is cut into sub-rectangles.
/// </summary>
/// <remarks>
/// Sub-rectangles are at most <see cref="MaxWidth"/> pixels wide (the spec's limit) and hold at
/// most <see cref="MaxArea"/> pixels, at every level, as TigerVNC 1.12 cuts them; fill rectangles
/// are only cut by width. The zlib levels are a measured choice: see docs/tight.md.
/// </remarks>
internal static class TightLevels
{
    /// <summary>The widest rectangle a Tight client accepts.</summary>
    public const int MaxWidth = 2048;

    /// <summary>The most pixels in one non-fill sub-rectangle.</summary>
    public const int MaxArea = 65536;

    private static ReadOnlySpan<byte> ZlibLevels => [1, 1, 1, 3, 5, 6, 6, 7, 8, 9];

    /// <summary>The zlib level for compress level <paramref name="compressLevel"/> (clamped to 0..9).</summary>
    public static int ZlibLevel(int compressLevel) => ZlibLevels[Math.Clamp(compressLevel, 0, 9)];
}
