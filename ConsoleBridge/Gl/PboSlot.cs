namespace ConsoleBridge.Gl;

/// <summary>One pixel-pack buffer of a head's ring and the readback it holds.</summary>
internal sealed class PboSlot
{
    public PboSlotState State;

    public uint Buffer;

    /// <summary>Bytes of storage the buffer has (0: not allocated yet).</summary>
    public long Capacity;

    /// <summary>Where the CPU reads the buffer: the persistent mapping, or a mapping made after the fence.</summary>
    public nint Mapped;

    public bool Persistent;

    /// <summary>Staged readback: the GPU-memory buffer glReadPixels writes before the copy into <see cref="Buffer"/> (0: none).</summary>
    public uint DeviceBuffer;

    public long DeviceCapacity;

    /// <summary>A GL_TIME_ELAPSED query around the readback's GPU work (0: not measured).</summary>
    public uint TimerQuery;

    public nint Fence;

    /// <summary>The bounding box of what the buffer holds (head coordinates).</summary>
    public PixelRect Rect;

    /// <summary>
    /// The rectangles the buffer holds (head coordinates), each packed at its offset with rows
    /// <c>Width * 4</c> bytes apart, in GL's row order from the rectangle's first GL row.
    /// </summary>
    public List<(PixelRect Rect, long Offset)> Parts { get; } = new();

    /// <summary>Bytes the parts take.</summary>
    public long Bytes;

    /// <summary>True when the buffer's first row is the rectangle's bottom row.</summary>
    public bool BottomUp;

    public long Serial;

    public int HeadWidth;

    public int HeadHeight;

    /// <summary>Stopwatch timestamp of the oldest update folded into this readback.</summary>
    public long UpdateTimestamp;

    /// <summary>When glReadPixels was issued into this buffer (for <see cref="GlBridge.Statistics"/>).</summary>
    public long IssueTimestamp;
}

internal enum PboSlotState
{
    Free,
    InFlight,
    Consuming,
}
