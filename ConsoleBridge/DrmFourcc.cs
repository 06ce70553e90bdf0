namespace ConsoleBridge;

/// <summary>
/// DRM fourcc codes (<c>drm_fourcc.h</c>) for the pixel layouts a guest-memory surface may use.
/// The names give the channel order from the most significant bit of a little-endian word.
/// </summary>
public enum DrmFourcc : uint
{
    /// <summary>32 bpp, [31:0] x:R:G:B 8:8:8:8 little endian. The bridge's canonical format.</summary>
    Xrgb8888 = 'X' | ('R' << 8) | ('2' << 16) | ('4' << 24),

    /// <summary>32 bpp, [31:0] A:R:G:B 8:8:8:8 little endian. Alpha is ignored.</summary>
    Argb8888 = 'A' | ('R' << 8) | ('2' << 16) | ('4' << 24),

    /// <summary>32 bpp, [31:0] x:B:G:R 8:8:8:8 little endian.</summary>
    Xbgr8888 = 'X' | ('B' << 8) | ('2' << 16) | ('4' << 24),

    /// <summary>32 bpp, [31:0] A:B:G:R 8:8:8:8 little endian. Alpha is ignored.</summary>
    Abgr8888 = 'A' | ('B' << 8) | ('2' << 16) | ('4' << 24),

    /// <summary>16 bpp, [15:0] R:G:B 5:6:5 little endian.</summary>
    Rgb565 = 'R' | ('G' << 8) | ('1' << 16) | ('6' << 24),
}
