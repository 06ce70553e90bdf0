namespace Rfb.Encodings.Jpeg;

/// <summary>
/// Maps what the client asked for (<see cref="EncodeSettings"/>) to a JPEG quality and
/// subsampling.
/// </summary>
/// <remarks>
/// Quality levels 0..9 follow TigerVNC's table: qualities 15, 29, 41 with 4:2:0; 42, 62, 77 with
/// 4:2:2; 79, 86, 92, 100 with 4:4:4. A fine quality (-512..-412) replaces the level's quality and
/// a subsampling level (-768..-763) replaces its subsampling. Subsampling levels are 1X (4:4:4),
/// 4X (4:2:0), 2X (4:2:2), GRAY, 8X and 16X; TurboJPEG has nothing coarser than 4:2:0, so 8X and
/// 16X become 4:2:0. A fine quality without any subsampling or quality level uses 4:2:0 below 80
/// and 4:4:4 from 80 on (matching the table's split).
/// </remarks>
internal static class JpegQuality
{
    private static ReadOnlySpan<byte> LevelQuality => [15, 29, 41, 42, 62, 77, 79, 86, 92, 100];

    /// <summary>The quality (1..100) and subsampling for <paramref name="settings"/>; call only when lossy is allowed.</summary>
    public static (int Quality, JpegSubsampling Subsampling) For(in EncodeSettings settings)
    {
        int level = Math.Clamp(settings.QualityLevel, -1, 9);
        int quality = settings.FineQuality >= 0
            ? Math.Clamp(settings.FineQuality, 1, 100)
            : LevelQuality[Math.Max(level, 0)];

        JpegSubsampling subsampling = settings.Subsampling switch
        {
            0 => JpegSubsampling.S444,
            1 or 4 or 5 => JpegSubsampling.S420,
            2 => JpegSubsampling.S422,
            3 => JpegSubsampling.Gray,
            _ when level >= 0 => level switch
            {
                <= 2 => JpegSubsampling.S420,
                <= 5 => JpegSubsampling.S422,
                _ => JpegSubsampling.S444,
            },
            _ => quality >= 80 ? JpegSubsampling.S444 : JpegSubsampling.S420,
        };

        return (quality, subsampling);
    }
}
