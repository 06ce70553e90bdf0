using ConsoleBridge;

namespace Rfb.Recording;

/// <summary>
/// One rectangle of a recorded update. <see cref="X"/>, <see cref="Y"/>, <see cref="Width"/> and
/// <see cref="Height"/> are the destination (for <see cref="TraceOperationKind.DesktopSize"/>
/// only the size matters); <see cref="SourceX"/> and <see cref="SourceY"/> are a copy's source;
/// <see cref="Pixels"/> are a Raw rectangle's pixels, XRGB8888 little-endian, rows of
/// <c>Width * 4</c> bytes without padding.
/// </summary>
public readonly struct TraceOperation
{
    private TraceOperation(TraceOperationKind kind, int x, int y, int width, int height, int sourceX, int sourceY, ReadOnlyMemory<byte> pixels)
    {
        Kind = kind;
        X = x;
        Y = y;
        Width = width;
        Height = height;
        SourceX = sourceX;
        SourceY = sourceY;
        Pixels = pixels;
    }

    public TraceOperationKind Kind { get; }

    public int X { get; }

    public int Y { get; }

    public int Width { get; }

    public int Height { get; }

    public int SourceX { get; }

    public int SourceY { get; }

    public ReadOnlyMemory<byte> Pixels { get; }

    /// <summary>The destination rectangle.</summary>
    public PixelRect Rect => new(X, Y, Width, Height);

    /// <summary>Pixels to write at (<paramref name="x"/>, <paramref name="y"/>); <paramref name="pixels"/> holds exactly <c>width * height * 4</c> bytes.</summary>
    public static TraceOperation Raw(int x, int y, int width, int height, ReadOnlyMemory<byte> pixels)
    {
        CheckRect(x, y, width, height);
        if (pixels.Length != (long)width * height * 4)
        {
            throw new ArgumentException($"A {width}x{height} Raw rectangle needs {(long)width * height * 4} bytes of pixels; got {pixels.Length}.", nameof(pixels));
        }

        return new TraceOperation(TraceOperationKind.Raw, x, y, width, height, 0, 0, pixels);
    }

    /// <summary>Moves the <paramref name="width"/>×<paramref name="height"/> rectangle at the source to the destination.</summary>
    public static TraceOperation Copy(int sourceX, int sourceY, int destinationX, int destinationY, int width, int height)
    {
        CheckRect(destinationX, destinationY, width, height);
        ArgumentOutOfRangeException.ThrowIfNegative(sourceX);
        ArgumentOutOfRangeException.ThrowIfNegative(sourceY);
        return new TraceOperation(TraceOperationKind.Copy, destinationX, destinationY, width, height, sourceX, sourceY, default);
    }

    /// <summary>Replaces the framebuffer with a black one of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static TraceOperation DesktopSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return new TraceOperation(TraceOperationKind.DesktopSize, 0, 0, width, height, 0, 0, default);
    }

    public override string ToString() => Kind switch
    {
        TraceOperationKind.Copy => $"Copy {Width}x{Height} from {SourceX},{SourceY} to {X},{Y}",
        TraceOperationKind.DesktopSize => $"DesktopSize {Width}x{Height}",
        _ => $"Raw {Width}x{Height}+{X}+{Y}",
    };

    private static void CheckRect(int x, int y, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
    }
}
