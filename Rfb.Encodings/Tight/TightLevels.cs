namespace Rfb.Encodings.Tight;

/// <summary>
/// What each Tight compress level (0..9) means for the encoders: the zlib level of the four
/// streams and of PNG data, and how a rectangle is cut into sub-rectangles.
/// </summary>
/// <remarks>
/// <para>
/// Sub-rectangles are at most <see cref="MaxWidth"/> pixels wide (the spec's limit) and hold at
/// most <see cref="MaxArea"/> pixels, at every level, as TigerVNC 1.12 cuts them; fill rectangles
/// are only cut by width.
/// </para>
/// <para>
/// Zlib levels: compress levels 0..2 use zlib 1, then 3, 5, 6, 6, 7, 8, 9. Measured on the 70
/// updates of the two committed xterm traces (1280×720), each damaged rectangle cut into 64×64
/// tiles as the session does, Tight lossless, one pass after a warm-up on a shared 2-core
/// machine (times are rough): zlib 1: 5,559,535 bytes, 141–584 ms; 3: 5,195,155 (−6.6%),
/// 355–1724 ms; 5: 5,092,377 (−8.4%), 417–699 ms; 6: 5,083,409; 7: 5,049,202; 8: 5,034,678,
/// 1.3–2.6 s; 9: 5,001,857 (−10%), 2.4 s. Zlib 1 gives most of the gain for a fraction of the
/// CPU, so it serves the default level 2; higher levels buy a few percent for much more time.
/// At quality 8 the same trace gives 5,392,847 bytes at zlib 1. To be confirmed by the benchmark.
/// </para>
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
