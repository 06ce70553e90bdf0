using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
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
/// <see cref="ZlibLevelFor(int)"/>; zlib's default level when it named none,
/// <see cref="UnnamedZlibLevel"/>); the stream keeps that level for the session, because
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
/// 1.0 / 2.2 / 3.6 / 4.3 / 8.7 ms. Zlib 2 takes most of the gain on single frames; on whole traces
/// zlib 4 saved another 2–11% (see <see cref="ZlibLevelFor(int)"/>), so compress level 2 maps to it.
/// </para>
/// </remarks>
public sealed class ZrleEncoder : IRectangleEncoder
{
    /// <summary>Below this many pixels in a call, tiles are encoded on the calling thread alone.</summary>
    public const int MinParallelPixels = 32 * 1024;

    private const int TileSize = ZrleTileEncoder.TileSize;

    /// <summary>Tile encoders shared by every ZRLE encoder of the process.</summary>
    private static readonly ScratchPool<ZrleTileEncoder> s_tileEncoders = new(() => new ZrleTileEncoder());

    private readonly ZlibDeflater _deflater = new();
    private readonly DeflateSegments _segments = new();
    private readonly CompressionRatioMap _ratios = new();
    private readonly List<long> _lastSegmentLengths = [];
    private readonly List<Unit> _units = [];
    private readonly OrderedPipeline _pipeline = new();

    // Tile data per pixel in the last call encoded on several threads: whether this call's data
    // will be enough for segments is told from it (so from the data encoded before, nothing else).
    private double _dataPerPixel;
    private bool _disposed;

    /// <summary>Creates an encoder that uses up to <see cref="Environment.ProcessorCount"/> threads per call.</summary>
    public ZrleEncoder()
        : this(Environment.ProcessorCount)
    {
    }

    /// <summary>
    /// Creates an encoder that uses up to <paramref name="maxParallelism"/> threads per call (1:
    /// only the calling thread): tiles are encoded on the workers while the calling thread
    /// compresses them in order on the session's one zlib stream, or, for a call with enough
    /// data, all tiles first and then the stream's data in segments at once
    /// (<see cref="DeflateSegments"/>), cut at equal expected time by how well each area
    /// compressed before (<see cref="CompressionRatioMap"/>). What a client decodes is the same for any value; the
    /// bytes are the same for the same value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxParallelism"/> is less than 1.</exception>
    public ZrleEncoder(int maxParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelism, 1);
        MaxParallelism = maxParallelism;
    }

    /// <summary>The most threads one call uses.</summary>
    public int MaxParallelism { get; }

    /// <inheritdoc />
    public int Encoding => EncodingType.Zrle;

    /// <summary>The zlib level of this session's stream, or -1 before the first rectangle.</summary>
    public int ZlibLevel => _deflater.Level;

    /// <summary>
    /// Compressed bytes per pixel of the last call (zlib data only, without rectangle headers), or
    /// positive infinity before the first: how costly this session's content is to send.
    /// </summary>
    public double LastBytesPerPixel { get; private set; } = double.PositiveInfinity;

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

    /// <summary>
    /// The zlib level for a client's settings: from its compress level when it named one
    /// (<see cref="ZlibLevelFor(int)"/>), else <see cref="UnnamedZlibLevel"/>.
    /// </summary>
    public static int ZlibLevelFor(in EncodeSettings settings) => settings.CompressLevelNamed ? ZlibLevelFor(settings.CompressLevel) : UnnamedZlibLevel;

    /// <summary>
    /// The zlib level when the client names no compress level: zlib's own default, which is what
    /// TigerVNC's and libvncserver's ZRLE use then (TigerVNC's viewer sends no compress level
    /// unless told to), so that a client that leaves the choice to the server gets the same
    /// trade as from them. Measured with TraceBench (ZRLE, <c>--pace max</c>, no compress level
    /// announced, the four recorded traces, one run each, docs/performance.md): against zlib 4
    /// (compress level 2), xterm_scroll 14.20 → 13.30 MB (libvncserver 13.40), glxgears 8.36 →
    /// 8.32, xterm_scroll_paced 8.39 → 7.88, video 25.22 → 25.15, for about 15% more CPU on
    /// xterm_scroll and no measurable difference on the others.
    /// </summary>
    public const int UnnamedZlibLevel = 6;

    private static ReadOnlySpan<byte> ZlibLevels => [1, 1, 4, 5, 6, 6, 7, 8, 9, 9];

    /// <inheritdoc />
    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
        => EncodeBatch(rect, [new BatchRect(0, 0, rect.Width, rect.Height, x, y)], translator, settings, output, stackalloc bool[1]);

    /// <inheritdoc />
    /// <remarks>
    /// The work is cut into units (one row of tiles of one rectangle). With more than one thread
    /// and at least <see cref="MinParallelPixels"/> pixels, workers encode units in order of
    /// their index while the calling thread compresses the finished units in that order (and
    /// encodes units itself while the next one is not ready); each rectangle ends with a sync
    /// flush. ZRLE is lossless: every <paramref name="lossy"/> flag is false.
    /// </remarks>
    public int EncodeBatch(PixelView surface, ReadOnlySpan<BatchRect> rects, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output, Span<bool> lossy)
    {
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (lossy.Length < rects.Length)
        {
            throw new ArgumentException("One lossy flag is needed per rectangle.", nameof(lossy));
        }

        lossy[..rects.Length].Clear();
        _deflater.Start(ZlibLevelFor(settings));
        long pixels = 0;
        foreach (BatchRect r in rects)
        {
            pixels += (long)r.Width * r.Height;
        }

        if (MaxParallelism == 1 || pixels < MinParallelPixels || surface.IsEmpty)
        {
            return EncodeInline(surface, rects, translator, output);
        }

        return EncodeParallel(surface, rects, translator, output);
    }

    public void Dispose()
    {
        _disposed = true;
        _deflater.Dispose();
        foreach (Unit unit in _units)
        {
            unit.Release();
        }
    }

    private int EncodeInline(PixelView surface, ReadOnlySpan<BatchRect> rects, PixelTranslator translator, IBufferWriter<byte> output)
    {
        ZrleTileEncoder tiles = s_tileEncoders.Rent();
        long compressed = 0, pixels = 0;
        try
        {
            foreach (BatchRect r in rects)
            {
                PixelView rect = surface.Slice(r.SourceX, r.SourceY, r.Width, r.Height);
                RectangleHeader.Write(output, r.X, r.Y, r.Width, r.Height, EncodingType.Zrle);
                for (int ty = 0; ty < rect.Height; ty += TileSize)
                {
                    int th = Math.Min(TileSize, rect.Height - ty);
                    for (int tx = 0; tx < rect.Width; tx += TileSize)
                    {
                        int length = tiles.EncodeTile(rect.Slice(tx, ty, Math.Min(TileSize, rect.Width - tx), th), translator);
                        _deflater.Write(tiles.Encoded(length));
                    }
                }

                compressed += _deflater.FlushTo(output);
                pixels += (long)r.Width * r.Height;
            }
        }
        finally
        {
            s_tileEncoders.Return(tiles);
        }

        LastBytesPerPixel = compressed / (double)Math.Max(1, pixels);
        return rects.Length;
    }

    private unsafe int EncodeParallel(PixelView surface, ReadOnlySpan<BatchRect> rects, PixelTranslator translator, IBufferWriter<byte> output)
    {
        // Units: one row of tiles of one rectangle, in the order their bytes go on the stream.
        int count = 0;
        long pixels64 = 0;
        foreach (BatchRect b in rects)
        {
            pixels64 += (long)b.Width * b.Height;
            for (int ty = 0; ty < b.Height; ty += TileSize)
            {
                if (count == _units.Count)
                {
                    _units.Add(new Unit());
                }

                _units[count++].Reset(b, ty, Math.Min(TileSize, b.Height - ty));
            }
        }

        int threads = Math.Min(MaxParallelism, count);
        long data = 0;
        long compressed = 0;
        var tiles = new ZrleTileEncoder[threads];
        for (int t = 0; t < threads; t++)
        {
            tiles[t] = s_tileEncoders.Rent();
        }

        try
        {
            fixed (uint* pixels = &MemoryMarshal.GetReference(surface.Row(0)))
            {
                var job = new Job(pixels, surface.Stride, surface.Width, surface.Height);
                if (pixels64 * _dataPerPixel >= 2.0 * DeflateSegments.MinSegmentBytes)
                {
                    // Enough data expected for the stream to be compressed in segments: encode every
                    // row of tiles first, then compress the segments at once.
                    _pipeline.Run(count, tiles, (i, encoder) => _units[i].Encode(job.View, translator, encoder), _ => { });
                    // Each row of tiles weighed by how well its area compressed before, so the
                    // segments take about the same time (CompressionRatioMap).
                    _segments.Clear();
                    for (int i = 0; i < count; i++)
                    {
                        Unit unit = _units[i];
                        _segments.Add(unit.Memory, unit.LastOfRect, _ratios.Weight(unit.Rect.X, unit.Rect.Y + unit.RowY, unit.Rect.Width, unit.Height));
                    }

                    _dataPerPixel = _segments.TotalBytes / (double)pixels64;

                    try
                    {
                        _deflater.Compress(_segments, threads, _pipeline);
                        RecordRatios(count);
                        int r = 0;
                        for (int i = 0; i < count; i++)
                        {
                            Unit unit = _units[i];
                            if (unit.LastOfRect)
                            {
                                RectangleHeader.Write(output, unit.Rect.X, unit.Rect.Y, unit.Rect.Width, unit.Rect.Height, EncodingType.Zrle);
                                Span<byte> prefix = output.GetSpan(4);
                                int length = _segments.UnitLength(r);
                                BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)length);
                                output.Advance(4);
                                _segments.CopyUnit(r++, output);
                                compressed += length;
                            }
                        }
                    }
                    finally
                    {
                        _segments.Release();
                    }

                    LastBytesPerPixel = compressed / (double)pixels64;
                    return rects.Length;
                }

                _pipeline.Run(
                    count,
                    tiles,
                    (i, encoder) => _units[i].Encode(job.View, translator, encoder),
                    i =>
                    {
                        Unit unit = _units[i];
                        if (unit.FirstOfRect)
                        {
                            RectangleHeader.Write(output, unit.Rect.X, unit.Rect.Y, unit.Rect.Width, unit.Rect.Height, EncodingType.Zrle);
                        }

                        _deflater.Write(unit.Bytes);
                        data += unit.Bytes.Length;
                        unit.Release();
                        if (unit.LastOfRect)
                        {
                            compressed += _deflater.FlushTo(output);
                        }
                    });
                _dataPerPixel = data / (double)pixels64;
                LastBytesPerPixel = compressed / (double)pixels64;
            }
        }
        finally
        {
            foreach (ZrleTileEncoder encoder in tiles)
            {
                s_tileEncoders.Return(encoder);
            }

            foreach (Unit unit in _units)
            {
                unit.Release();
            }
        }

        return rects.Length;
    }

    /// <summary>One row of tiles of one rectangle and its encoded bytes (in an array rented from the shared pool).</summary>
    /// <summary>The bytes of data in each segment of the last call compressed in segments (for tests).</summary>
    internal IReadOnlyList<long> LastSegmentLengths => _lastSegmentLengths;

    /// <summary>
    /// Records, for each row of tiles of the last segmented call, the ratio its segment (the one
    /// holding the middle of its data) compressed to: the segments' joined output is one stream,
    /// so a row's own share is not known, and a segment's is close enough to move the next
    /// call's cut towards equal time.
    /// </summary>
    private void RecordRatios(int count)
    {
        _lastSegmentLengths.Clear();
        for (int j = 0; j < _segments.SegmentCount; j++)
        {
            _lastSegmentLengths.Add(_segments.SegmentLength(j));
        }

        long offset = 0;
        int segment = 0;
        for (int i = 0; i < count; i++)
        {
            Unit unit = _units[i];
            int length = unit.Bytes.Length;
            long middle = offset + (length / 2);
            while (segment < _segments.SegmentCount - 1 && middle >= _segments.SegmentStart(segment) + _segments.SegmentLength(segment))
            {
                segment++;
            }

            _ratios.Record(unit.Rect.X, unit.Rect.Y + unit.RowY, unit.Rect.Width, unit.Height, _segments.SegmentLength(segment), _segments.SegmentOutputLength(segment));
            offset += length;
        }
    }

    private sealed class Unit
    {
        private byte[] _bytes = [];
        private int _length;

        /// <summary>The rectangle this row belongs to.</summary>
        public BatchRect Rect { get; private set; }

        /// <summary>The row's first pixel row within the rectangle.</summary>
        public int RowY { get; private set; }

        public int Height { get; private set; }

        public bool FirstOfRect => RowY == 0;

        public bool LastOfRect => RowY + Height >= Rect.Height;

        public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

        public ReadOnlyMemory<byte> Memory => _bytes.AsMemory(0, _length);

        public void Reset(BatchRect rect, int rowY, int height)
        {
            Rect = rect;
            RowY = rowY;
            Height = height;
            _length = 0;
        }

        public void Encode(PixelView surface, PixelTranslator translator, ZrleTileEncoder tiles)
        {
            int width = Rect.Width;
            PixelView row = surface.Slice(Rect.SourceX, Rect.SourceY + RowY, width, Height);
            int tilesAcross = (width + TileSize - 1) / TileSize;
            int most = tilesAcross * (1 + (TileSize * TileSize * 4));
            if (_bytes.Length < most)
            {
                Release();
                _bytes = ArrayPool<byte>.Shared.Rent(most);
            }

            int at = 0;
            for (int tx = 0; tx < width; tx += TileSize)
            {
                int length = tiles.EncodeTile(row.Slice(tx, 0, Math.Min(TileSize, width - tx), Height), translator);
                tiles.Encoded(length).CopyTo(_bytes.AsSpan(at));
                at += length;
            }

            _length = at;
        }

        public void Release()
        {
            if (_bytes.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_bytes);
                _bytes = [];
            }

            _length = 0;
        }
    }

    /// <summary>The pinned surface of one call.</summary>
    private readonly unsafe struct Job(uint* pixels, int stride, int width, int height)
    {
        private readonly uint* _pixels = pixels;

        public PixelView View => new(new ReadOnlySpan<uint>(_pixels, ((height - 1) * stride) + width), stride, width, height);
    }

}
