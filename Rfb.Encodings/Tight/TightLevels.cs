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
/// Zlib levels: compress levels 0..1 use zlib 1, level 2 (the default) zlib 2, then 3, 5, 6, 6,
/// 7, 8, 9. Level 2 was zlib 1 until the whole-trace benchmark (EncoderBench encperf, Tight
/// lossless, compress level 2; docs/performance.md) showed .NET's zlib 1 (zlib-ng's quick
/// strategy) 14–27% larger than zlib 2 on the four recorded traces (glxgears 15.3 → 12.0 MB,
/// video 32.4 → 28.2, xterm_scroll 22.4 → 19.5, xterm_scroll_paced 12.5 → 11.0), which put it
/// above TigerVNC's bytes; zlib 2 takes about 1.5–2× the CPU and stays under TigerVNC's time.
/// zlib 3 saves another 1–3% for about 15% more CPU. The earlier measurement: Measured on the 70
/// updates of the two committed xterm traces (1280×720), each damaged rectangle cut into 64×64
/// tiles as the session does, Tight lossless, one pass after a warm-up on a shared 2-core
/// machine (times are rough): zlib 1: 5,559,535 bytes, 141–584 ms; 3: 5,195,155 (−6.6%),
/// 355–1724 ms; 5: 5,092,377 (−8.4%), 417–699 ms; 6: 5,083,409; 7: 5,049,202; 8: 5,034,678,
/// 1.3–2.6 s; 9: 5,001,857 (−10%), 2.4 s. Zlib 1 gives most of the gain for a fraction of the
/// CPU; higher levels buy a few percent for much more time. At quality 8 the same trace gives
/// 5,392,847 bytes at zlib 1.
/// </para>
/// <para>
/// Full-colour data (streams 0 and 3) has a table of its own (<see cref="FullColourZlibLevel"/>):
/// compress level 2 gives zlib 7 there. Measured on the Tight data of the video trace (86 MB of
/// 3-byte TPIXELs in 24,284 rectangles, each sync-flushed on its stream, as the encoder does),
/// .NET's zlib (zlib-ng) gave 25.98 MB at level 2 in 0.55–0.63 s, 24.90 MB at 6 in 0.70–0.75 s,
/// 24.83 MB at 7 in 0.74 s, 24.71 MB at 8 in 1.05 s and 23.59 MB at 9 in 1.59 s; the system's
/// classic zlib at level 2 (what TigerVNC uses) gave 24.72 MB in 0.76–0.79 s. Zlib-ng's level 2
/// is weaker than classic zlib's on this data, its level 7 matches classic level 2 for about the
/// same time, and on the whole trace it took Tight lossless from 27.8 to 26.0 MB (TigerVNC:
/// 26.2 MB). Palette and mono data is small and compresses well at the lower levels, so it
/// keeps <see cref="ZlibLevel"/>. The full-colour table applies to lossless calls only: when
/// JPEG is allowed, full colour carries only flat content, and on the video trace at quality 8
/// zlib 7 there cost 20% more CPU (0.60 against 0.50 s, TigerVNC 0.53 s) for 3.5% fewer bytes
/// (17.37 against 18.01 MB); those calls now go one level below the palette table instead
/// (<see cref="LossyFullColourZlibLevel"/>). A session whose calls switch between lossy and lossless (the
/// lossless refresh) therefore resets the full-colour streams when it switches.
/// </para>
/// </remarks>
internal static class TightLevels
{
    /// <summary>The widest rectangle a Tight client accepts.</summary>
    public const int MaxWidth = 2048;

    /// <summary>The most pixels in one non-fill sub-rectangle.</summary>
    public const int MaxArea = 65536;

    /// <summary>
    /// The smallest solid area taken out of a rectangle as a fill (<see cref="Analysis.SolidAreaFinder"/>).
    /// TigerVNC takes 2048; on the recorded traces (whose rectangles the recording server had already
    /// cut around solid areas) 2048 made the xterm traces 2.7% larger and gained nothing elsewhere,
    /// while 16384 changed no trace's bytes, so only large areas (an emulator's borders, a cleared
    /// window inside a damaged area) are taken out. On each update's union (encperf --union, with
    /// the largest-first search) 2048, 4096 and 65536 gave video at quality 8 18.50, 18.25 and
    /// 29.11 MB against 18.96 at 16384, but xterm_scroll 17.77, 15.92 and 13.43 against 13.53 and
    /// glxgears 12.35, 11.10 and 11.16 against 10.61, so 16384 stays.
    /// </summary>
    public const int MinSolidArea = 16384;

    private static ReadOnlySpan<byte> ZlibLevels => [1, 1, 2, 3, 5, 6, 6, 7, 8, 9];

    private static ReadOnlySpan<byte> FullColourZlibLevels => [1, 1, 7, 7, 7, 7, 7, 8, 9, 9];

    /// <summary>The zlib level for compress level <paramref name="compressLevel"/> (clamped to 0..9).</summary>
    public static int ZlibLevel(int compressLevel) => ZlibLevels[Math.Clamp(compressLevel, 0, 9)];

    /// <summary>The zlib level of the full-colour streams (0 and 3) for compress level <paramref name="compressLevel"/>.</summary>
    public static int FullColourZlibLevel(int compressLevel) => FullColourZlibLevels[Math.Clamp(compressLevel, 0, 9)];

    /// <summary>
    /// The zlib level of the full-colour streams (0 and 3) in a call that allows JPEG: one below
    /// <see cref="ZlibLevel"/>, at least 1 (compress level 2 gives zlib 1, zlib-ng's quick
    /// strategy). With JPEG allowed, full colour carries only what JPEG would not suit: pieces
    /// under <c>MinJpegArea</c> pixels and flat content with too many colours for a palette. On
    /// the video trace that is most of the zlib work of a call. Measured at quality 8 / compress
    /// level 2 against zlib 2 (one sitting): TraceBench <c>--pace max</c>, four alternating runs
    /// each, video 248 → 291 Mpx/s (medians) and 3.14 → 2.6 ms of CPU per update for 15.46 →
    /// 16.11 MB (+4%; libvncserver sends 19.90), glxgears +0.6% and xterm_scroll +1.2% bytes with
    /// CPU and Mpx/s within the runs' spread; EncoderBench <c>encperf --union --threads 2 --batch</c>
    /// video 0.36–0.42 → 0.29–0.30 s wall, 0.60–0.72 → 0.49 s CPU, 18.18 → 19.26 MB (TigerVNC
    /// 20.8), the other traces unchanged within 0.6%.
    /// </summary>
    public static int LossyFullColourZlibLevel(int compressLevel) => Math.Max(1, ZlibLevel(compressLevel) - 1);
}
