using System.Collections.Concurrent;

namespace ConsoleBridge.Gl;

/// <summary>
/// What the GL thread keeps for one console: the imported image, its texture and framebuffer, the
/// damage not read yet and the ring of pixel-pack buffers. Only the GL thread touches it, except
/// <see cref="Returned"/>, through which the consumer hands buffers back.
/// </summary>
internal sealed class GlHead
{
    public GlHead(DisplayConsole console, int ringDepth)
    {
        Console = console;
        Slots = new PboSlot[ringDepth];
        for (int i = 0; i < ringDepth; i++)
        {
            Slots[i] = new PboSlot();
        }
    }

    public DisplayConsole Console { get; }

    public PboSlot[] Slots { get; }

    /// <summary>Readbacks issued and not yet handed to the consumer, oldest first.</summary>
    public Queue<PboSlot> InFlight { get; } = new();

    public ConcurrentQueue<PboSlot> Returned { get; } = new();

    public bool Active;

    public long Serial;

    public nint Image;

    public bool OwnsImage;

    public uint Texture;

    public uint Framebuffer;

    public int BackingWidth;

    public int BackingHeight;

    /// <summary>The shown part of the backing, top-left based.</summary>
    public PixelRect View;

    public bool Y0Top;

    /// <summary>Damage in head coordinates not read back yet (the bounding box of the updates).</summary>
    public PixelRect Damage;

    public long DamageTimestamp;

    public int NextSlot;

    /// <summary>GPU damage detection: the previous frame (head coordinates), 0 until the first comparison.</summary>
    public uint PreviousFrame;

    public int PreviousWidth;

    public int PreviousHeight;

    /// <summary>GPU damage detection: one flag per 64×64 tile, persistently mapped at <see cref="TileFlagsMapped"/>.</summary>
    public uint TileFlags;

    public nint TileFlagsMapped;

    /// <summary>
    /// GPU damage detection by fragment shaders (no compute shaders): the flags as an R32UI
    /// texture of one texel per tile, framebuffers around it and around the previous frame, and
    /// the pixel-pack buffer the flags are read into (mapped once their fence signalled).
    /// </summary>
    public uint FlagsTexture;

    public uint FlagsFramebuffer;

    public uint PreviousFramebuffer;

    public uint FlagsReadBuffer;

    /// <summary>The fallback's first pass: one flag per 8×8 block, and its framebuffer.</summary>
    public uint BlocksTexture;

    public uint BlocksFramebuffer;

    /// <summary>The fence behind a comparison in flight (0: none), and the rectangle it compares.</summary>
    public nint DetectFence;

    public PixelRect DetectRect;

    public long DetectTimestamp;

    /// <summary>Changed rectangles found by the last comparison, waiting for a free buffer.</summary>
    public List<PixelRect> PendingParts { get; } = new();

    public int Width => View.Width;

    public int Height => View.Height;
}
