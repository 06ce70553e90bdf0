namespace Rfb.Encodings.Jpeg;

/// <summary>TurboJPEG's chrominance subsampling (TJSAMP values).</summary>
internal enum JpegSubsampling
{
    /// <summary>TJSAMP_444: none.</summary>
    S444 = 0,

    /// <summary>TJSAMP_422: half horizontal resolution.</summary>
    S422 = 1,

    /// <summary>TJSAMP_420: half horizontal and vertical resolution.</summary>
    S420 = 2,

    /// <summary>TJSAMP_GRAY: luminance only.</summary>
    Gray = 3,
}
