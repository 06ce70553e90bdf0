namespace Rfb.Encodings;

/// <summary>
/// RFB encoding and pseudo-encoding numbers, named as RFC 6143 and the community rfbproto
/// specification name them. Ranges (quality, compress level, fine quality, subsampling) are
/// given by their first and last value.
/// </summary>
public static class EncodingType
{
    public const int Raw = 0;
    public const int CopyRect = 1;
    public const int Rre = 2;
    public const int Hextile = 5;
    public const int Zlib = 6;
    public const int Tight = 7;
    public const int ZlibHex = 8;
    public const int Zrle = 16;
    public const int TightPng = -260;

    /// <summary>JPEG quality level 0 (-32) .. 9 (-23).</summary>
    public const int JpegQualityLevel0 = -32;
    public const int JpegQualityLevel9 = -23;

    public const int DesktopSize = -223;
    public const int LastRect = -224;
    public const int Cursor = -239;
    public const int XCursor = -240;

    /// <summary>Compress level 0 (-256) .. 9 (-247).</summary>
    public const int CompressLevel0 = -256;
    public const int CompressLevel9 = -247;

    public const int QemuPointerMotionChange = -257;
    public const int QemuExtendedKeyEvent = -258;
    public const int QemuAudio = -259;
    public const int QemuLedState = -261;
    public const int DesktopName = -307;
    public const int ExtendedDesktopSize = -308;
    public const int Fence = -312;
    public const int ContinuousUpdates = -313;
    public const int ExtendedMouseButtons = -316;

    /// <summary>Fine-grained JPEG quality 0 (-512) .. 100 (-412).</summary>
    public const int FineQualityLevel0 = -512;
    public const int FineQualityLevel100 = -412;

    /// <summary>JPEG subsampling 1X (-768), 4X, 2X, GRAY, 8X, 16X (-763).</summary>
    public const int SubsampLevel1X = -768;
    public const int SubsampLevel16X = -763;

    public const int VMwareCursor = 0x574d5664;
    public const int ExtendedClipboard = unchecked((int)0xc0a1e5ce);
}
