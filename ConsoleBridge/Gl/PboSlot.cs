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

    public nint Fence;

    /// <summary>What the buffer holds: rows of <see cref="Rect"/> (head coordinates), <see cref="Stride"/> apart.</summary>
    public PixelRect Rect;

    public int Stride;

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
