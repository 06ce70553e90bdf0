namespace ConsoleBridge;

/// <summary>
/// A head's scanout in guest memory, as the emulator describes it: dimensions, stride and DRM
/// fourcc over memory the emulator owns, either managed (<see cref="Memory{T}"/>) or native
/// (a pointer and a length). The bridge only reads it, and only during a refresh or a surface
/// switch; the emulator keeps the memory valid until it switches to another surface.
/// </summary>
public sealed unsafe class GuestSurface
{
    /// <summary>The largest width or height accepted, matching RFB's 16-bit framebuffer size.</summary>
    public const int MaxDimension = 16384;

    private readonly Memory<byte> _managed;
    private readonly byte* _native;
    private readonly int _length;

    private GuestSurface(int width, int height, int stride, DrmFourcc format, Memory<byte> managed, byte* native, int length)
    {
        int bpp = BytesPerPixel(format);
        if (width <= 0 || height <= 0 || width > MaxDimension || height > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"A surface must be 1..{MaxDimension} pixels on each side; got {width}x{height}.");
        }

        if (stride < width * bpp)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), $"Stride {stride} is less than width {width} × {bpp} bytes per pixel.");
        }

        long needed = (long)stride * (height - 1) + (long)width * bpp;
        if (length < needed)
        {
            throw new ArgumentException($"The surface needs {needed} bytes ({width}x{height}, stride {stride}, {format}) but the memory holds {length}.", nameof(length));
        }

        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
        _managed = managed;
        _native = native;
        _length = length;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes from the start of one row to the start of the next.</summary>
    public int Stride { get; }

    public DrmFourcc Format { get; }

    public int BytesPerPixel() => BytesPerPixel(Format);

    /// <summary>Describes a surface in managed memory that the emulator keeps writing to.</summary>
    public static GuestSurface FromMemory(Memory<byte> memory, int width, int height, int stride, DrmFourcc format) =>
        new(width, height, stride, format, memory, null, memory.Length);

    /// <summary>
    /// Describes a surface in native memory that the emulator owns (for example mapped guest
    /// RAM). The pointer must stay valid for <paramref name="length"/> bytes until the console
    /// switches away from this surface.
    /// </summary>
    public static GuestSurface FromPointer(nint pointer, int length, int width, int height, int stride, DrmFourcc format)
    {
        if (pointer == 0)
        {
            throw new ArgumentNullException(nameof(pointer));
        }

        return new(width, height, stride, format, default, (byte*)pointer, length);
    }

    /// <summary>Bytes per pixel of a supported format; throws for any other fourcc.</summary>
    public static int BytesPerPixel(DrmFourcc format) => format switch
    {
        DrmFourcc.Xrgb8888 or DrmFourcc.Argb8888 or DrmFourcc.Xbgr8888 or DrmFourcc.Abgr8888 => 4,
        DrmFourcc.Rgb565 => 2,
        _ => throw new NotSupportedException($"Pixel format 0x{(uint)format:x8} is not supported for guest-memory surfaces."),
    };

    /// <summary>The bytes of row <paramref name="y"/> from column <paramref name="x"/>, <paramref name="width"/> pixels long.</summary>
    internal ReadOnlySpan<byte> Row(int y, int x, int width)
    {
        int bpp = BytesPerPixel(Format);
        int offset = y * Stride + x * bpp;
        int count = width * bpp;
        return _native != null
            ? new ReadOnlySpan<byte>(_native + offset, count)
            : _managed.Span.Slice(offset, count);
    }
}
