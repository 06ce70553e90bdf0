namespace ConsoleBridge.Gl;

/// <summary>
/// A head scanned out of a dma-buf, as QEMU's <c>QemuDmaBuf</c> describes one: up to four planes,
/// a DRM fourcc and format modifier, the size of the whole buffer (the backing) and the part of
/// it that the head shows. Coordinates are top-left based in the picture as shown.
/// </summary>
public sealed class DmaBufScanout
{
    /// <summary>The buffer's planes (1 to 4).</summary>
    public required IReadOnlyList<DmaBufPlane> Planes { get; init; }

    /// <summary>The DRM fourcc of the buffer (for example <c>XR24</c>, <see cref="DrmFourcc.Xrgb8888"/>).</summary>
    public required uint Fourcc { get; init; }

    /// <summary>The DRM format modifier, or null for the driver's implicit layout (no modifier attributes are passed).</summary>
    public ulong? Modifier { get; init; }

    /// <summary>Width of the whole buffer in pixels.</summary>
    public required int BackingWidth { get; init; }

    /// <summary>Height of the whole buffer in pixels.</summary>
    public required int BackingHeight { get; init; }

    /// <summary>Left edge of the shown part. Default 0.</summary>
    public int X { get; init; }

    /// <summary>Top edge of the shown part. Default 0.</summary>
    public int Y { get; init; }

    /// <summary>Width of the shown part (the head's width); 0 means the backing width.</summary>
    public int Width { get; init; }

    /// <summary>Height of the shown part (the head's height); 0 means the backing height.</summary>
    public int Height { get; init; }

    /// <summary>
    /// True when the buffer's first row is the top of the picture (scanout buffers); false when it
    /// is the bottom (GL's convention), and the bridge flips the rows as it reads them.
    /// </summary>
    public bool Y0Top { get; init; } = true;
}
