using System.Buffers.Binary;
using ConsoleBridge;

namespace Rfb.Recording;

/// <summary>
/// A framebuffer in XRGB8888 little-endian (4 bytes a pixel, rows of <c>Width * 4</c> bytes)
/// that a recorded trace's operations are applied to: the guest memory of a
/// <see cref="TracePlayer"/>, or a reference for a trace's frames.
/// </summary>
public sealed class TraceFramebuffer
{
    /// <summary>Creates a black framebuffer.</summary>
    public TraceFramebuffer(int width, int height)
    {
        Pixels = Allocate(width, height);
        Width = width;
        Height = height;
    }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Bytes from one row to the next: <c>Width * 4</c>.</summary>
    public int Stride => Width * 4;

    /// <summary>The pixels. A <see cref="TraceOperationKind.DesktopSize"/> replaces the array.</summary>
    public byte[] Pixels { get; private set; }

    /// <summary>Describes <see cref="Pixels"/> as a guest-memory surface for a <see cref="DisplayConsole"/>.</summary>
    public GuestSurface CreateSurface() => GuestSurface.FromMemory(Pixels, Width, Height, Stride, DrmFourcc.Xrgb8888);

    /// <summary>Applies every operation of <paramref name="update"/> in order.</summary>
    public void Apply(TraceUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        foreach (TraceOperation operation in update.Operations)
        {
            Apply(operation);
        }
    }

    /// <summary>Applies one operation.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rectangle (or copy source) reaches outside the framebuffer.</exception>
    public void Apply(in TraceOperation operation)
    {
        switch (operation.Kind)
        {
            case TraceOperationKind.Raw:
                WriteRaw(operation.X, operation.Y, operation.Width, operation.Height, operation.Pixels.Span);
                break;
            case TraceOperationKind.Copy:
                Copy(operation.SourceX, operation.SourceY, operation.X, operation.Y, operation.Width, operation.Height);
                break;
            case TraceOperationKind.DesktopSize:
                Resize(operation.Width, operation.Height);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation.Kind, "Unknown operation.");
        }
    }

    /// <summary>Writes a rectangle of pixels (rows of <c>width * 4</c> bytes).</summary>
    public void WriteRaw(int x, int y, int width, int height, ReadOnlySpan<byte> pixels)
    {
        CheckInside(x, y, width, height);
        int rowBytes = width * 4;
        if (pixels.Length < (long)rowBytes * height)
        {
            throw new ArgumentException($"A {width}x{height} rectangle needs {(long)rowBytes * height} bytes of pixels; got {pixels.Length}.", nameof(pixels));
        }

        for (int row = 0; row < height; row++)
        {
            pixels.Slice(row * rowBytes, rowBytes).CopyTo(Pixels.AsSpan((y + row) * Stride + x * 4, rowBytes));
        }
    }

    /// <summary>Moves a rectangle of pixels; the source and destination may overlap.</summary>
    public void Copy(int sourceX, int sourceY, int destinationX, int destinationY, int width, int height)
    {
        CheckInside(sourceX, sourceY, width, height);
        CheckInside(destinationX, destinationY, width, height);
        int rowBytes = width * 4;
        // Moving down, the bottom row goes first so that no source row is overwritten before it
        // is read; within a row, Span.CopyTo handles overlap as memmove does.
        bool bottomUp = destinationY > sourceY;
        for (int i = 0; i < height; i++)
        {
            int row = bottomUp ? height - 1 - i : i;
            Span<byte> source = Pixels.AsSpan((sourceY + row) * Stride + sourceX * 4, rowBytes);
            source.CopyTo(Pixels.AsSpan((destinationY + row) * Stride + destinationX * 4, rowBytes));
        }
    }

    /// <summary>Replaces the framebuffer with a black one of the given size (a new <see cref="Pixels"/> array).</summary>
    public void Resize(int width, int height)
    {
        Pixels = Allocate(width, height);
        Width = width;
        Height = height;
    }

    /// <summary>The pixel at (<paramref name="x"/>, <paramref name="y"/>) as a little-endian XRGB8888 word.</summary>
    public uint GetPixel(int x, int y)
    {
        CheckInside(x, y, 1, 1);
        return BinaryPrimitives.ReadUInt32LittleEndian(Pixels.AsSpan(y * Stride + x * 4));
    }

    private static byte[] Allocate(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, GuestSurface.MaxDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, GuestSurface.MaxDimension);
        return new byte[width * height * 4];
    }

    private void CheckInside(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width < 0 || height < 0 || x + width > Width || y + height > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"The rectangle {width}x{height}+{x}+{y} reaches outside the {Width}x{Height} framebuffer.");
        }
    }
}
