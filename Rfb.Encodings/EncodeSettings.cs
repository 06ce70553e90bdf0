namespace Rfb.Encodings;

/// <summary>
/// What the client asked for through pseudo-encodings: compress level, JPEG quality level, fine
/// quality and subsampling. Unset values are -1.
/// </summary>
public readonly record struct EncodeSettings
{
    public EncodeSettings()
    {
    }

    /// <summary>Compress level 0..9 (default 2, as TigerVNC).</summary>
    public int CompressLevel { get; init; } = 2;

    /// <summary>JPEG quality level 0..9, or -1 when the client asked for no quality level (lossless only).</summary>
    public int QualityLevel { get; init; } = -1;

    /// <summary>Fine JPEG quality 0..100, or -1 when not sent.</summary>
    public int FineQuality { get; init; } = -1;

    /// <summary>Subsampling level 0..5 (1X, 4X, 2X, GRAY, 8X, 16X), or -1 when not sent.</summary>
    public int Subsampling { get; init; } = -1;

    /// <summary>Whether lossy (JPEG) encoding is allowed at all.</summary>
    public bool AllowsLossy => QualityLevel >= 0 || FineQuality >= 0;
}
