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

    /// <summary>The compress level used when the client names none (TigerVNC's default).</summary>
    public const int DefaultCompressLevel = 2;

    private readonly int _compressLevel = -1;

    /// <summary>
    /// Compress level 0..9: the one the client named, or <see cref="DefaultCompressLevel"/> when it
    /// named none (initialising it with -1 says so too; see <see cref="CompressLevelNamed"/>).
    /// </summary>
    public int CompressLevel
    {
        get => _compressLevel < 0 ? DefaultCompressLevel : _compressLevel;
        init => _compressLevel = value < 0 ? -1 : value;
    }

    /// <summary>
    /// Whether the client named a compress level. ZRLE without one uses zlib's default level, as
    /// TigerVNC's and libvncserver's ZRLE do (<see cref="Zrle.ZrleEncoder.UnnamedZlibLevel"/>).
    /// </summary>
    public bool CompressLevelNamed => _compressLevel >= 0;

    /// <summary>JPEG quality level 0..9, or -1 when the client asked for no quality level (lossless only).</summary>
    public int QualityLevel { get; init; } = -1;

    /// <summary>Fine JPEG quality 0..100, or -1 when not sent.</summary>
    public int FineQuality { get; init; } = -1;

    /// <summary>Subsampling level 0..5 (1X, 4X, 2X, GRAY, 8X, 16X), or -1 when not sent.</summary>
    public int Subsampling { get; init; } = -1;

    /// <summary>Whether lossy (JPEG) encoding is allowed at all.</summary>
    public bool AllowsLossy => QualityLevel >= 0 || FineQuality >= 0;
}
