using System.Buffers;

namespace Rfb.Encodings.Hextile;

/// <summary>
/// The Hextile encoding (RFC 6143 §7.7.4): 16×16 tiles in raster order, each sent raw or as a
/// background with sub-rectangles, whichever is smaller.
/// </summary>
/// <remarks>
/// <para>
/// A tile of one colour is its background (sent only when it differs from the last one). A tile
/// of two colours is the more frequent one as background and sub-rectangles of the other as
/// foreground (sent only when it differs from the last one). A tile of more colours takes its
/// first pixel's colour or the second colour seen, whichever is more frequent among the
/// first two, as background and sends coloured sub-rectangles. Sub-rectangles are found
/// greedily in raster order, each the larger of its widest-first and tallest-first extent.
/// Whenever the result would be larger than the raw tile (or needs over 255 sub-rectangles) the
/// tile goes raw.
/// </para>
/// <para>
/// Background and foreground carry from tile to tile within a rectangle. Decoders disagree on what
/// a raw tile or a tile with coloured sub-rectangles leaves behind (TigerVNC's keeps the last
/// sub-rectangle's colour as foreground), so after a raw tile both are sent again, and after
/// coloured sub-rectangles the foreground is.
/// </para>
/// <para>The encoder holds no zlib state; one instance per session keeps its scratch buffers.</para>
/// </remarks>
public sealed class HextileEncoder : IRectangleEncoder
{
    private const int TileSize = 16;

    private const byte Raw = 1;
    private const byte BackgroundSpecified = 2;
    private const byte ForegroundSpecified = 4;
    private const byte AnySubrects = 8;
    private const byte SubrectsColoured = 16;

    // Largest tile written: mask, raw pixels; the sub-rectangle path stops once it passes raw's size.
    private const int MaxTileBytes = 1 + TileSize * TileSize * 4 + 2 * 4 + 1 + (2 + 4);

    // The tile's canonical pixels, packed (stride = width); covered sub-rectangles become background.
    private readonly uint[] _pixels = new uint[TileSize * TileSize];

    // The tile's pixels in the client's format, packed.
    private readonly byte[] _translated = new byte[TileSize * TileSize * 4];

    /// <inheritdoc />
    public int Encoding => EncodingType.Hextile;

    /// <inheritdoc />
    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentNullException.ThrowIfNull(output);

        RectangleHeader.Write(output, x, y, rect.Width, rect.Height, EncodingType.Hextile);
        var state = new CarriedColours();
        for (int ty = 0; ty < rect.Height; ty += TileSize)
        {
            int th = Math.Min(TileSize, rect.Height - ty);
            for (int tx = 0; tx < rect.Width; tx += TileSize)
            {
                int tw = Math.Min(TileSize, rect.Width - tx);
                Span<byte> span = output.GetSpan(MaxTileBytes);
                int length = EncodeTile(rect.Slice(tx, ty, tw, th), translator, ref state, span);
                output.Advance(length);
            }
        }

        return 1;
    }

    public void Dispose()
    {
    }

    private int EncodeTile(PixelView tile, PixelTranslator translator, ref CarriedColours state, Span<byte> destination)
    {
        int width = tile.Width;
        int height = tile.Height;
        int count = width * height;
        int bpp = translator.BytesPerPixel;
        Span<uint> pixels = _pixels.AsSpan(0, count);
        for (int row = 0; row < height; row++)
        {
            ReadOnlySpan<uint> source = tile.Row(row);
            source.CopyTo(pixels.Slice(row * width, width));
            translator.TranslateRow(source, _translated.AsSpan(row * width * bpp, width * bpp));
        }

        // The first two colours and their counts; a third colour makes the tile multi-coloured.
        uint first = pixels[0];
        int different = pixels.IndexOfAnyExcept(first);
        if (different < 0)
        {
            return WriteSolid(first, bpp, ref state, destination);
        }

        uint second = pixels[different];
        int firstCount = different;
        int secondCount = 0;
        bool multi = false;
        for (int i = different; i < count; i++)
        {
            uint p = pixels[i];
            if (p == first)
            {
                firstCount++;
            }
            else if (p == second)
            {
                secondCount++;
            }
            else
            {
                multi = true;
                break;
            }
        }

        uint background = firstCount >= secondCount ? first : second;
        int backgroundAt = firstCount >= secondCount ? 0 : different;
        int rawSize = 1 + count * bpp;

        int at = 1;
        byte mask = AnySubrects;
        if (!state.BackgroundValid || state.Background != background)
        {
            mask |= BackgroundSpecified;
            at = CopyPixel(backgroundAt, bpp, destination, at);
        }

        if (multi)
        {
            mask |= SubrectsColoured;
        }
        else
        {
            uint foreground = background == first ? second : first;
            if (!state.ForegroundValid || state.Foreground != foreground)
            {
                mask |= ForegroundSpecified;
                at = CopyPixel(background == first ? different : 0, bpp, destination, at);
            }

            state.Foreground = foreground;
        }

        int countAt = at++;
        int subrects = 0;
        for (int sy = 0; sy < height && at <= rawSize; sy++)
        {
            for (int sx = 0; sx < width && at <= rawSize; sx++)
            {
                uint colour = pixels[sy * width + sx];
                if (colour == background)
                {
                    continue;
                }

                (int w, int h) = LargestSubrect(pixels, width, height, sx, sy, colour);
                if (multi)
                {
                    at = CopyPixel(sy * width + sx, bpp, destination, at);
                }

                destination[at++] = (byte)((sx << 4) | sy);
                destination[at++] = (byte)(((w - 1) << 4) | (h - 1));
                subrects++;
                for (int cy = sy; cy < sy + h; cy++)
                {
                    pixels.Slice(cy * width + sx, w).Fill(background);
                }
            }
        }

        if (at > rawSize || subrects > 255)
        {
            destination[0] = Raw;
            _translated.AsSpan(0, count * bpp).CopyTo(destination[1..]);
            state = default;
            return rawSize;
        }

        destination[0] = mask;
        destination[countAt] = (byte)subrects;
        state.Background = background;
        state.BackgroundValid = true;
        state.ForegroundValid = !multi;
        return at;
    }

    private int WriteSolid(uint colour, int bpp, ref CarriedColours state, Span<byte> destination)
    {
        if (state.BackgroundValid && state.Background == colour)
        {
            destination[0] = 0;
            return 1;
        }

        destination[0] = BackgroundSpecified;
        state.Background = colour;
        state.BackgroundValid = true;
        return CopyPixel(0, bpp, destination, 1);
    }

    private int CopyPixel(int index, int bpp, Span<byte> destination, int at)
    {
        _translated.AsSpan(index * bpp, bpp).CopyTo(destination[at..]);
        return at + bpp;
    }

    /// <summary>
    /// The larger of two candidate sub-rectangles of <paramref name="colour"/> at (sx, sy): as wide
    /// as the run in the first row and then as tall as possible, or as tall as the run in the
    /// first column and then as wide as possible.
    /// </summary>
    private static (int Width, int Height) LargestSubrect(ReadOnlySpan<uint> pixels, int width, int height, int sx, int sy, uint colour)
    {
        int runWidth = RowRun(pixels, width, sx, sy, width - sx, colour);
        int tallForRun = 1;
        while (sy + tallForRun < height && RowRun(pixels, width, sx, sy + tallForRun, runWidth, colour) == runWidth)
        {
            tallForRun++;
        }

        int runHeight = 1;
        while (sy + runHeight < height && pixels[(sy + runHeight) * width + sx] == colour)
        {
            runHeight++;
        }

        int wideForRun = runWidth;
        for (int r = 1; r < runHeight && wideForRun > 1; r++)
        {
            wideForRun = Math.Min(wideForRun, RowRun(pixels, width, sx, sy + r, wideForRun, colour));
        }

        return runWidth * tallForRun >= wideForRun * runHeight ? (runWidth, tallForRun) : (wideForRun, runHeight);
    }

    // How many pixels from (sx, sy), at most limit, are colour.
    private static int RowRun(ReadOnlySpan<uint> pixels, int width, int sx, int sy, int limit, uint colour)
    {
        int other = pixels.Slice(sy * width + sx, limit).IndexOfAnyExcept(colour);
        return other < 0 ? limit : other;
    }

    // What a decoder holds between tiles of one rectangle.
    private struct CarriedColours
    {
        public uint Background;
        public bool BackgroundValid;
        public uint Foreground;
        public bool ForegroundValid;
    }
}
