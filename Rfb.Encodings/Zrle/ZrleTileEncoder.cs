namespace Rfb.Encodings.Zrle;

/// <summary>
/// Encodes one ZRLE tile at a time into its own buffer (see <see cref="ZrleEncoder"/> for the
/// choice of subencoding). A tile's bytes depend only on its pixels and the client's format, so
/// tiles may be encoded by any instance on any thread; an instance is used by one thread at a time.
/// </summary>
internal sealed class ZrleTileEncoder
{
    public const int TileSize = 64;
    private const int TilePixels = TileSize * TileSize;

    private const byte SubencodingRaw = 0;
    private const byte SubencodingSolid = 1;
    private const byte SubencodingPlainRle = 128;

    // Pixels of a run compared one by one before the rest of the row is searched with vectors.
    // Measured with EncoderBench encperf --union, ZRLE, one thread, three alternations of five
    // runs against a vectorised search for every run: xterm_scroll 1.08-1.15 against 1.11-1.19 s,
    // glxgears 0.65-0.69 against 0.66-0.69 s, same bytes. Eight was slower on glxgears (0.72-0.75 s).
    private const int ShortRun = 2;

    private readonly TilePalette _palette = new();

    // The runs of the current tile in raster order: colour and length (at most 4096).
    private readonly uint[] _runColours = new uint[TilePixels];
    private readonly int[] _runLengths = new int[TilePixels];

    // Encoded tile; the chosen subencoding is never larger than raw (1 + 4096 four-byte pixels).
    private readonly byte[] _tile = new byte[1 + TilePixels * 4];

    // CPIXELs of the palette or of the run colours.
    private readonly byte[] _cpixels = new byte[TilePixels * 4];

    /// <summary>The encoded tile written by the last <see cref="EncodeTile"/> (its length was returned).</summary>
    public ReadOnlySpan<byte> Encoded(int length) => _tile.AsSpan(0, length);

    /// <summary>Encodes one tile into this instance's buffer (<see cref="Encoded"/>) and returns its length.</summary>
    public int EncodeTile(PixelView tile, PixelTranslator translator)
    {
        int width = tile.Width;
        int height = tile.Height;
        int bpp = translator.CompactPixelBytes;

        // One pass: runs, their length bytes, and the palette.
        _palette.Clear();
        int runs = 0;
        int plainLengthBytes = 0;   // plain RLE: run-length bytes of all runs
        int paletteRunBytes = 0;    // palette RLE: index byte plus run-length bytes (none for a run of one)
        uint current = tile.Row(0)[0];
        int runLength = 0;
        for (int row = 0; row < height; row++)
        {
            ReadOnlySpan<uint> pixels = tile.Row(row);
            int i = 0;
            while (i < width)
            {
                if (pixels[i] == current)
                {
                    // Runs in text are often one or two pixels long: those are found here, and
                    // only a longer run goes to the vectorised search.
                    int start = i;
                    int probeEnd = Math.Min(width, i + ShortRun);
                    do
                    {
                        i++;
                    }
                    while (i < probeEnd && pixels[i] == current);

                    if (i == probeEnd && i < width)
                    {
                        int different = pixels[i..].IndexOfAnyExcept(current);
                        i = different < 0 ? width : i + different;
                    }

                    runLength += i - start;
                }
                else
                {
                    AddRun(current, runLength, ref runs, ref plainLengthBytes, ref paletteRunBytes);
                    current = pixels[i];
                    runLength = 0;
                }
            }
        }

        AddRun(current, runLength, ref runs, ref plainLengthBytes, ref paletteRunBytes);

        int colours = _palette.Count;
        if (colours == 1)
        {
            _tile[0] = SubencodingSolid;
            translator.TranslateRowCompact([current], _tile.AsSpan(1, bpp));
            return 1 + bpp;
        }

        // Sizes of each choice, without the subencoding byte.
        int rawSize = width * height * bpp;
        int plainRleSize = runs * bpp + plainLengthBytes;
        int paletteRleSize = int.MaxValue;
        int packedSize = int.MaxValue;
        int bitsPerIndex = 0;
        if (!_palette.Overflowed)
        {
            paletteRleSize = colours * bpp + paletteRunBytes;
            if (colours <= 16)
            {
                bitsPerIndex = colours == 2 ? 1 : colours <= 4 ? 2 : 4;
                packedSize = colours * bpp + height * ((width * bitsPerIndex + 7) / 8);
            }
        }

        if (packedSize <= paletteRleSize && packedSize <= plainRleSize && packedSize <= rawSize)
        {
            return WritePackedPalette(width, runs, bitsPerIndex, translator);
        }

        if (paletteRleSize <= plainRleSize && paletteRleSize <= rawSize)
        {
            return WritePaletteRle(runs, translator);
        }

        if (plainRleSize <= rawSize)
        {
            return WritePlainRle(runs, translator);
        }

        _tile[0] = SubencodingRaw;
        int rowBytes = width * bpp;
        for (int row = 0; row < height; row++)
        {
            translator.TranslateRowCompact(tile.Row(row), _tile.AsSpan(1 + row * rowBytes, rowBytes));
        }

        return 1 + rawSize;
    }

    private void AddRun(uint colour, int length, ref int runs, ref int plainLengthBytes, ref int paletteRunBytes)
    {
        _runColours[runs] = colour;
        _runLengths[runs] = length;
        runs++;
        int lengthBytes = (length - 1) / 255 + 1;
        plainLengthBytes += lengthBytes;
        paletteRunBytes += length == 1 ? 1 : 1 + lengthBytes;
        _palette.Add(colour);
    }

    // Packed palette (2..16 colours): the palette, then each row's indices packed most significant
    // bits first, every row padded to a whole byte.
    private int WritePackedPalette(int width, int runs, int bitsPerIndex, PixelTranslator translator)
    {
        int at = WritePalette(translator);
        int accumulator = 0;
        int bits = 0;
        int x = 0;
        for (int r = 0; r < runs; r++)
        {
            int index = _palette.IndexOf(_runColours[r]);
            for (int n = _runLengths[r]; n > 0; n--)
            {
                accumulator = (accumulator << bitsPerIndex) | index;
                bits += bitsPerIndex;
                if (bits == 8)
                {
                    _tile[at++] = (byte)accumulator;
                    accumulator = 0;
                    bits = 0;
                }

                if (++x == width)
                {
                    if (bits > 0)
                    {
                        _tile[at++] = (byte)(accumulator << (8 - bits));
                        accumulator = 0;
                        bits = 0;
                    }

                    x = 0;
                }
            }
        }

        return at;
    }

    // Palette RLE: the palette, then per run the index alone (a run of one) or the index with
    // bit 7 set followed by the run length.
    private int WritePaletteRle(int runs, PixelTranslator translator)
    {
        int at = WritePalette(translator);
        _tile[0] = (byte)(128 + _palette.Count);
        for (int r = 0; r < runs; r++)
        {
            int index = _palette.IndexOf(_runColours[r]);
            int length = _runLengths[r];
            if (length == 1)
            {
                _tile[at++] = (byte)index;
            }
            else
            {
                _tile[at++] = (byte)(index | 128);
                at = WriteRunLength(length, at);
            }
        }

        return at;
    }

    // Plain RLE: per run a CPIXEL and the run length.
    private int WritePlainRle(int runs, PixelTranslator translator)
    {
        int bpp = translator.CompactPixelBytes;
        translator.TranslateRowCompact(_runColours.AsSpan(0, runs), _cpixels);
        _tile[0] = SubencodingPlainRle;
        int at = 1;
        for (int r = 0; r < runs; r++)
        {
            _cpixels.AsSpan(r * bpp, bpp).CopyTo(_tile.AsSpan(at));
            at = WriteRunLength(_runLengths[r], at + bpp);
        }

        return at;
    }

    // The subencoding byte (palette size) and the palette's CPIXELs; returns where the data goes.
    private int WritePalette(PixelTranslator translator)
    {
        _palette.SortByValue();
        ReadOnlySpan<uint> colours = _palette.Colours;
        int bytes = colours.Length * translator.CompactPixelBytes;
        _tile[0] = (byte)colours.Length;
        translator.TranslateRowCompact(colours, _tile.AsSpan(1, bytes));
        return 1 + bytes;
    }

    // A run length: (length - 1) as bytes of 255 and a last byte below 255, summed.
    private int WriteRunLength(int length, int at)
    {
        int rest = length - 1;
        while (rest >= 255)
        {
            _tile[at++] = 255;
            rest -= 255;
        }

        _tile[at++] = (byte)rest;
        return at;
    }
}
