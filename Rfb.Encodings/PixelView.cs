namespace Rfb.Encodings;

/// <summary>
/// A rectangle of canonical pixels (XRGB8888 words, top byte zero) inside a larger buffer:
/// <see cref="Height"/> rows of <see cref="Width"/> pixels, each row <see cref="Stride"/> pixels
/// after the previous one. Encoders read through views; slicing never copies pixels.
/// </summary>
public readonly ref struct PixelView
{
    private readonly ReadOnlySpan<uint> _pixels;

    /// <summary>Creates a view whose top-left pixel is <c>pixels[0]</c>.</summary>
    /// <param name="pixels">The pixels, from the top-left pixel of the view on.</param>
    /// <param name="stride">Pixels from the start of one row to the start of the next.</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Number of rows.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A size is negative, the stride is shorter than the width, or the span is too short to hold
    /// the rows.
    /// </exception>
    public PixelView(ReadOnlySpan<uint> pixels, int stride, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width);
        if (width > 0 && height > 0 && (long)(height - 1) * stride + width > pixels.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(pixels),
                $"{height} rows of {width} pixels with a stride of {stride} need {(long)(height - 1) * stride + width} pixels; the span holds {pixels.Length}.");
        }

        _pixels = pixels;
        Stride = stride;
        Width = width;
        Height = height;
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Number of rows.</summary>
    public int Height { get; }

    /// <summary>Pixels from the start of one row to the start of the next.</summary>
    public int Stride { get; }

    /// <summary>True when the view holds no pixels.</summary>
    public bool IsEmpty => Width == 0 || Height == 0;

    /// <summary>The <see cref="Width"/> pixels of row <paramref name="y"/> (0 is the top row).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="y"/> is not a row of the view.</exception>
    public ReadOnlySpan<uint> Row(int y)
    {
        if ((uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(y), $"Row {y} is outside a view of {Height} rows.");
        }

        return _pixels.Slice(y * Stride, Width);
    }

    /// <summary>A view of the rectangle at (<paramref name="x"/>, <paramref name="y"/>) of this view, sharing its pixels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle does not lie inside this view.</exception>
    public PixelView Slice(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width < 0 || height < 0
            || (long)x + width > Width || (long)y + height > Height)
        {
            throw new ArgumentOutOfRangeException(
                nameof(x),
                $"The rectangle {width}x{height} at ({x}, {y}) does not lie inside a view of {Width}x{Height}.");
        }

        if (width == 0 || height == 0)
        {
            return new PixelView(ReadOnlySpan<uint>.Empty, Stride, width, height);
        }

        return new PixelView(_pixels[(y * Stride + x)..], Stride, width, height);
    }
}
