using ConsoleBridge;

namespace DemoEmulator.Guest;

/// <summary>
/// Software drawing into an XRGB8888 framebuffer (one <see cref="uint"/> per pixel, 0x00RRGGBB),
/// clipped to a rectangle. Every primitive writes only inside the clip, so a layer can be
/// redrawn into just the region that needs it.
/// </summary>
internal readonly ref struct Canvas
{
    private readonly Span<uint> _pixels;
    private readonly int _stride;

    public Canvas(Span<uint> pixels, int width, int height, PixelRect clip)
    {
        _pixels = pixels;
        _stride = width;
        Width = width;
        Height = height;
        Clip = clip.Intersect(new PixelRect(0, 0, width, height));
    }

    public int Width { get; }

    public int Height { get; }

    public PixelRect Clip { get; }

    /// <summary>The same pixels with the clip narrowed to <paramref name="rect"/>.</summary>
    public Canvas Within(PixelRect rect) => new(_pixels, Width, Height, Clip.Intersect(rect));

    /// <summary>The pixels of row <paramref name="y"/> inside the clip (empty when the row is outside it).</summary>
    public Span<uint> ClippedRow(int y)
    {
        PixelRect c = Clip;
        return y < c.Y || y >= c.Bottom || c.IsEmpty ? default : _pixels.Slice(y * _stride + c.X, c.Width);
    }

    public void FillRect(PixelRect rect, uint color)
    {
        rect = rect.Intersect(Clip);
        if (rect.IsEmpty)
        {
            return;
        }

        for (int y = rect.Y; y < rect.Bottom; y++)
        {
            _pixels.Slice(y * _stride + rect.X, rect.Width).Fill(color);
        }
    }

    /// <summary>A one-pixel outline just inside <paramref name="rect"/>.</summary>
    public void FrameRect(PixelRect rect, uint color)
    {
        if (rect.IsEmpty)
        {
            return;
        }

        FillRect(rect with { Height = 1 }, color);
        FillRect(rect with { Y = rect.Bottom - 1, Height = 1 }, color);
        FillRect(rect with { Width = 1 }, color);
        FillRect(rect with { X = rect.Right - 1, Width = 1 }, color);
    }

    public void SetPixel(int x, int y, uint color)
    {
        PixelRect c = Clip;
        if (x >= c.X && x < c.Right && y >= c.Y && y < c.Bottom)
        {
            _pixels[y * _stride + x] = color;
        }
    }

    /// <summary>A line from one end point to the other, both included (Bresenham).</summary>
    public void Line(int x0, int y0, int x1, int y1, uint color)
    {
        int dx = Math.Abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
        int dy = -Math.Abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        while (true)
        {
            SetPixel(x0, y0, color);
            if (x0 == x1 && y0 == y1)
            {
                break;
            }

            int e2 = 2 * err;
            if (e2 >= dy)
            {
                err += dy;
                x0 += sx;
            }

            if (e2 <= dx)
            {
                err += dx;
                y0 += sy;
            }
        }
    }

    /// <summary>A filled disc of radius <paramref name="r"/> centred on (<paramref name="cx"/>, <paramref name="cy"/>).</summary>
    public void FillCircle(int cx, int cy, int r, uint color)
    {
        for (int dy = -r; dy <= r; dy++)
        {
            int half = (int)Math.Sqrt(r * r - dy * dy);
            FillRect(new PixelRect(cx - half, cy + dy, 2 * half + 1, 1), color);
        }
    }

    /// <summary>A circle outline (midpoint algorithm).</summary>
    public void Circle(int cx, int cy, int r, uint color)
    {
        int x = r, y = 0, err = 1 - r;
        while (x >= y)
        {
            SetPixel(cx + x, cy + y, color);
            SetPixel(cx + y, cy + x, color);
            SetPixel(cx - y, cy + x, color);
            SetPixel(cx - x, cy + y, color);
            SetPixel(cx - x, cy - y, color);
            SetPixel(cx - y, cy - x, color);
            SetPixel(cx + y, cy - x, color);
            SetPixel(cx + x, cy - y, color);
            y++;
            if (err < 0)
            {
                err += 2 * y + 1;
            }
            else
            {
                x--;
                err += 2 * (y - x) + 1;
            }
        }
    }

    /// <summary>Draws the glyph of <paramref name="c"/> in the cell at (<paramref name="x"/>, <paramref name="y"/>); unset bits are left as they are.</summary>
    public void DrawChar(char c, int x, int y, uint color)
    {
        var cell = new PixelRect(x, y, BitmapFont.CellWidth, BitmapFont.CellHeight).Intersect(Clip);
        if (cell.IsEmpty || c == ' ')
        {
            return;
        }

        ReadOnlySpan<byte> rows = BitmapFont.Glyph(c);
        int top = y + BitmapFont.GlyphTop;
        for (int row = 0; row < rows.Length; row++)
        {
            int py = top + row;
            if (py < cell.Y || py >= cell.Bottom)
            {
                continue;
            }

            int bits = rows[row];
            for (int col = 0; bits != 0 && col < BitmapFont.GlyphWidth; col++)
            {
                if ((bits & (0x10 >> col)) != 0)
                {
                    int px = x + col;
                    if (px >= cell.X && px < cell.Right)
                    {
                        _pixels[py * _stride + px] = color;
                    }
                }
            }
        }
    }

    /// <summary>Draws a run of text left to right from the cell at (<paramref name="x"/>, <paramref name="y"/>); returns the x after it.</summary>
    public int DrawText(ReadOnlySpan<char> text, int x, int y, uint color)
    {
        int end = x + text.Length * BitmapFont.CellWidth;
        PixelRect clip = Clip;
        if (y >= clip.Bottom || y + BitmapFont.CellHeight <= clip.Y)
        {
            return end;
        }

        foreach (char c in text)
        {
            if (x >= clip.Right)
            {
                break;
            }

            if (x + BitmapFont.CellWidth > clip.X)
            {
                DrawChar(c, x, y, color);
            }

            x += BitmapFont.CellWidth;
        }

        return end;
    }
}
