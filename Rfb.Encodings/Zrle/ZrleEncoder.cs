using System.Buffers;
using Rfb.Encodings.Zlib;

namespace Rfb.Encodings.Zrle;

/// <summary>
/// The ZRLE encoding (RFC 6143 §7.7.6): the rectangle is cut into 64×64 tiles in raster order,
/// each tile is sent raw, solid, as a packed palette, as plain RLE or as palette RLE, whichever
/// is smallest, and the tile data is compressed on one zlib stream per session.
/// </summary>
/// <remarks>
/// <para>
/// Per tile, one pass over the pixels finds the runs (which continue from one row to the next, as
/// the decoder reads the tile as one sequence) and up to 127 distinct colours; the exact encoded
/// size of every subencoding then follows from the counts, and the smallest is written (ties go
/// to solid, packed palette, palette RLE, plain RLE, raw, in that order). Colours are told apart
/// by their canonical value, so two colours that the client's format merges still take two
/// palette entries: larger, never wrong.
/// </para>
/// <para>
/// Pixels are CPIXELs (<see cref="PixelTranslator.TranslateRowCompact"/>): three bytes for a 32-bit
/// format whose colour bits all lie in three bytes, the full pixel otherwise.
/// </para>
/// <para>
/// The client's compress level picks the zlib level when the first rectangle is encoded (see
/// <see cref="ZlibLevelFor"/>); the stream keeps that level for the session, because
/// a ZRLE stream cannot be restarted without the client's knowledge and .NET cannot change the
/// level of a running stream.
/// </para>
/// <para>
/// Palettes (packed and palette RLE) are ordered by colour value, so tiles of text on one
/// background carry the same index bytes and zlib finds repeats across tiles: on the whole
/// xterm_scroll trace (EncoderBench encperf, compress level 2) 21.31 → 20.35 MB, on
/// xterm_scroll_paced 11.68 → 11.23 MB, video unchanged.
/// </para>
/// <para>
/// Measured on whole 1280×720 frames of the recorded traces (shared 2-core x64 machine, .NET 10,
/// canonical 32-bit client so 3-byte CPIXELs; compressed bytes and mean ms per frame; zlib level
/// 0 / 1 / 2 / 6 / 9): an xterm full of text 429 K / 134 K / 89 K / 68 K / 64 K bytes in
/// about 4 to 10 ms; a video frame 222 K / 143 K / 118 K / 115 K / 115 K bytes in
/// 1.0 / 2.2 / 3.6 / 4.3 / 8.7 ms. Level 2 (the default compress level) takes most of the gain.
/// </para>
/// </remarks>
public sealed class ZrleEncoder : IRectangleEncoder
{
    private const int TileSize = 64;
    private const int TilePixels = TileSize * TileSize;

    private const byte SubencodingRaw = 0;
    private const byte SubencodingSolid = 1;
    private const byte SubencodingPlainRle = 128;

    private readonly ZlibDeflater _deflater = new();
    private readonly TilePalette _palette = new();

    // The runs of the current tile in raster order: colour and length (at most 4096).
    private readonly uint[] _runColours = new uint[TilePixels];
    private readonly int[] _runLengths = new int[TilePixels];

    // Encoded tile; the chosen subencoding is never larger than raw (1 + 4096 four-byte pixels).
    private readonly byte[] _tile = new byte[1 + TilePixels * 4];

    // CPIXELs of the palette or of the run colours.
    private readonly byte[] _cpixels = new byte[TilePixels * 4];

    private bool _disposed;

    /// <inheritdoc />
    public int Encoding => EncodingType.Zrle;

    /// <summary>The zlib level of this session's stream, or -1 before the first rectangle.</summary>
    public int ZlibLevel => _deflater.Level;

    /// <summary>
    /// The zlib level for an RFB compress level (clamped to 0..9): 1, 1, 4, 5, 6, 6, 7, 8, 9, 9.
    /// .NET's zlib is zlib-ng, whose level 2 compresses this data less than classic zlib's (which
    /// TigerVNC uses); on the whole recorded traces (EncoderBench encperf, compress level 2) zlib
    /// 2 / 3 / 4 / 6 gave xterm_scroll 24.0 / 22.5 / 21.3 / 20.8 MB, xterm_scroll_paced 13.1 /
    /// 12.3 / 11.7 / 11.4, glxgears 10.3 / 9.8 / 9.7 / 9.7 and video 27.3 / 26.9 / 26.7 / 26.6 MB,
    /// for roughly 10–25% more CPU at 4 than at 2 (TigerVNC: 22.8, 12.4, 12.0 and 26.0 MB), so the
    /// default compress level 2 maps to zlib 4.
    /// </summary>
    public static int ZlibLevelFor(int compressLevel) => ZlibLevels[Math.Clamp(compressLevel, 0, 9)];

    private static ReadOnlySpan<byte> ZlibLevels => [1, 1, 4, 5, 6, 6, 7, 8, 9, 9];

    /// <inheritdoc />
    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed, this);

        RectangleHeader.Write(output, x, y, rect.Width, rect.Height, EncodingType.Zrle);
        _deflater.Start(ZlibLevelFor(settings.CompressLevel));
        for (int ty = 0; ty < rect.Height; ty += TileSize)
        {
            int th = Math.Min(TileSize, rect.Height - ty);
            for (int tx = 0; tx < rect.Width; tx += TileSize)
            {
                int tw = Math.Min(TileSize, rect.Width - tx);
                int length = EncodeTile(rect.Slice(tx, ty, tw, th), translator);
                _deflater.Write(_tile.AsSpan(0, length));
            }
        }

        _deflater.FlushTo(output);
        return 1;
    }

    public void Dispose()
    {
        _disposed = true;
        _deflater.Dispose();
    }

    /// <summary>Encodes one tile into <see cref="_tile"/> and returns its length.</summary>
    private int EncodeTile(PixelView tile, PixelTranslator translator)
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
                    int different = pixels[i..].IndexOfAnyExcept(current);
                    int same = different < 0 ? width - i : different;
                    runLength += same;
                    i += same;
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
