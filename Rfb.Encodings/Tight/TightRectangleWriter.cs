using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Rfb.Encodings.Analysis;
using Rfb.Encodings.Jpeg;
using Rfb.Encodings.Zlib;

namespace Rfb.Encodings.Tight;

/// <summary>
/// The work shared by <see cref="TightEncoder"/> and <see cref="TightPngEncoder"/>: cutting a
/// rectangle into fills and sub-rectangles, choosing a subencoding for each, and writing them,
/// in parallel where the work allows. Holds one session's zlib streams and, per worker, a JPEG
/// compressor and scratch buffers, so steady use allocates little.
/// </summary>
/// <remarks>
/// <para>Cutting: a rectangle of one colour becomes fills at most 2048 pixels wide. Otherwise
/// <see cref="SolidAreaFinder"/> takes out its solid areas of at least
/// <see cref="TightLevels.MinSolidArea"/> pixels as fills, and the areas between them
/// are cut into sub-rectangles at most 2048 pixels wide holding at most 65536 pixels.</para>
/// <para>Choice per sub-rectangle, in this order:</para>
/// <list type="number">
/// <item>one colour: a fill;</item>
/// <item>few colours (<see cref="PaletteLimit"/>): mono (2 colours, 1 bit a pixel) or indexed
/// (8-bit indices, the palette ordered by colour value so that similar rectangles give the same
/// indices) when that is smaller than full colour; lossless even when JPEG is allowed,
/// which keeps anti-aliased text sharp and small;</item>
/// <item>many colours, not flat (<see cref="GradientEstimator.IsFlat"/>: most pixels differ
/// from their left neighbour), the client asked for JPEG (a quality level or fine quality),
/// TurboJPEG is available, the client's pixels are at least 16 bits and the rectangle has at
/// least <see cref="MinJpegArea"/> pixels: JPEG;</item>
/// <item>otherwise full colour, with the gradient filter when <see cref="GradientEstimator"/>
/// says it pays and TPIXELs are 3 bytes.</item>
/// </list>
/// <para>
/// Zlib streams (basic compression): 0 full colour, 1 mono, 2 indexed, 3 gradient-filtered full
/// colour (its residuals have statistics of their own). A stream is reset (its bit set in the
/// compression-control byte of the rectangle that uses it) when it is first used by this encoder
/// instance and whenever its zlib level changes with the compress level, because a new deflate
/// stream is started then. Data under 12 bytes is sent uncompressed, as the spec requires.
/// </para>
/// <para>
/// Parallel work: the sub-rectangles of every rectangle of a call (a batch, see
/// <see cref="EncodeBatch"/>) are classified and prepared (palette, translation, filters; JPEG
/// and PNG images compressed whole) by up to <see cref="MaxParallelism"/> workers (rented from
/// a process-wide <see cref="ScratchPool{T}"/>), taken in order; meanwhile the calling thread compresses each
/// prepared sub-rectangle's data on its zlib stream in the original order, and prepares
/// sub-rectangles itself while the next one is not ready; then the rectangles are written in
/// their original order. What a sub-rectangle
/// becomes never depends on which worker prepared it, and each stream sees the same data in the
/// same order, so the bytes are the same for any number of workers.
/// </para>
/// <para>
/// When the call is expected to carry at least <see cref="MinSegmentedData"/> of zlib data (from
/// the previous parallel call's data per pixel), every piece is prepared first and then each
/// stream's data is compressed in segments at once (<see cref="DeflateSegments"/>), one per
/// worker shared out by expected time: each piece's bytes are weighed by how well its area of
/// the screen compressed before (<see cref="CompressionRatioMap"/>), since deflate takes longer
/// on data that compresses less. The bytes then depend on the number of workers too (never on
/// timing), and a client inflates them to the same data.
/// </para>
/// </remarks>
internal sealed class TightRectangleWriter : IDisposable
{
    /// <summary>Data shorter than this is sent without zlib (the spec's rule).</summary>
    public const int MinCompressedLength = 12;

    /// <summary>Smaller many-coloured rectangles are not worth a JPEG's fixed headers (about 600 bytes).</summary>
    public const int MinJpegArea = 1024;

    /// <summary>Pixels a rectangle needs per palette colour when the client allows JPEG (<see cref="PaletteLimit"/>).</summary>
    public const int PixelsPerPaletteColour = 32;

    /// <summary>Pixels a rectangle needs per palette colour when every pixel is sent losslessly (<see cref="PaletteLimit"/>).</summary>
    public const int PixelsPerPaletteColourLossless = 48;

    /// <summary>
    /// The zlib data a call is expected to have (from the last parallel call's data per pixel)
    /// before its streams are compressed in segments at once (<see cref="DeflateSegments"/>).
    /// Below it the prepare-and-compress pipeline is faster: on glxgears at quality 8 (encperf
    /// --union, two threads) segments from 128 KiB took 0.70 s against 0.63 s, and from 256 KiB
    /// the trace is not cut (0.63 s) while video lossless still gains (0.84 → 0.68 s).
    /// </summary>
    public const int MinSegmentedData = 4 * DeflateSegments.MinSegmentBytes;

    /// <summary>Below this many pixels to encode (fills aside), a rectangle is encoded on the calling thread alone.</summary>
    public const int MinParallelPixels = 32 * 1024;

    private const byte FillControl = 0x80;
    private const byte JpegControl = 0x90;
    private const byte PngControl = 0xA0;
    private const byte ExplicitFilter = 0x40;
    private const byte FilterPalette = 1;
    private const byte FilterGradient = 2;
    private const int StreamFullColour = 0;
    private const int StreamMono = 1;
    private const int StreamIndexed = 2;
    private const int StreamGradient = 3;

    private readonly bool _png;
    private readonly int _encoding;
    private readonly TightZlibStream[] _streams;
    private readonly TightWorker?[] _workers;
    private readonly List<SolidArea> _areas = [];
    private readonly List<TightPiece> _pieces = [];
    /// <summary>Workers shared by every Tight and TightPNG encoder of the process.</summary>
    private static readonly ScratchPool<TightWorker> s_workers = new(() => new TightWorker());

    private readonly List<Job> _jobs = [];
    private readonly DeflateSegments[] _segments;
    private readonly bool[] _resetPending = new bool[4];
    private readonly List<(int Stream, int Segment, double Cost)> _segmentJobs = [];
    private readonly CompressionRatioMap _ratios = new();
    private readonly List<long> _lastSegmentLengths = [];
    private bool _segmented;

    // Zlib data per pixel to encode in the last call prepared on several workers: whether this
    // call's data will be enough for segments is told from it (so from the data encoded before).
    private double _dataPerPixel;
    private readonly OrderedPipeline _pipeline = new();
    private bool _allowsLossy;
    private int _currentRect;
    private readonly PixelTranslator _rgb = new(PixelFormat.Canonical);
    private int _pieceCount;
    private int _nextPiece;
    private bool _disposed;

    public TightRectangleWriter(bool png, int maxParallelism = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelism, 1);
        _png = png;
        _encoding = png ? EncodingType.TightPng : EncodingType.Tight;
        _streams = png ? [] : [new(), new(), new(), new()];
        _segments = png ? [] : [new(), new(), new(), new()];
        MaxParallelism = maxParallelism;
        _workers = new TightWorker[maxParallelism];
    }

    public int Encoding => _encoding;

    /// <summary>The most threads one <see cref="Encode"/> call uses (1: the calling thread only).</summary>
    public int MaxParallelism { get; }

    /// <summary>The bytes of data in each segment of the full-colour stream in the last call that compressed it in segments (for tests).</summary>
    internal IReadOnlyList<long> LastFullColourSegmentLengths => _lastSegmentLengths;

    /// <summary>Whether the last <see cref="Encode"/> wrote a JPEG rectangle.</summary>
    public bool LastEncodeWasLossy { get; private set; }

    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        Span<bool> lossy = stackalloc bool[1];
        int written = EncodeBatch(rect, [new BatchRect(0, 0, rect.Width, rect.Height, x, y)], translator, settings, output, lossy);
        LastEncodeWasLossy = lossy[0];
        return written;
    }

    /// <summary>
    /// Encodes the rectangles of one surface as one job: every rectangle is cut into pieces, and
    /// the pieces of all of them are prepared in parallel and compressed stream by stream, so a
    /// batch of small rectangles keeps the workers as busy as one large rectangle does. The
    /// bytes are those of one <see cref="Encode"/> call per rectangle in order.
    /// </summary>
    public unsafe int EncodeBatch(PixelView surface, ReadOnlySpan<BatchRect> rects, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output, Span<bool> lossy)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentNullException.ThrowIfNull(output);
        if (lossy.Length < rects.Length)
        {
            throw new ArgumentException("One lossy flag is needed per rectangle.", nameof(lossy));
        }

        lossy[..rects.Length].Clear();
        _allowsLossy = settings.AllowsLossy;
        LastEncodeWasLossy = false;
        _pieceCount = 0;
        _segmented = false;
        _jobs.Clear();
        if (surface.IsEmpty)
        {
            return 0;
        }

        fixed (uint* pixels = &MemoryMarshal.GetReference(surface.Row(0)))
        {
            int pixelsToEncode = 0;
            for (int r = 0; r < rects.Length; r++)
            {
                BatchRect b = rects[r];
                PixelView rect = surface.Slice(b.SourceX, b.SourceY, b.Width, b.Height);
                _jobs.Add(new Job(pixels + ((long)b.SourceY * surface.Stride) + b.SourceX, surface.Stride, b.Width, b.Height, translator, settings));
                if (rect.IsEmpty)
                {
                    continue;
                }

                _currentRect = r;
                if (SolidDetector.IsSolid(rect, out uint colour))
                {
                    for (int sx = 0; sx < rect.Width; sx += TightLevels.MaxWidth)
                    {
                        AddPiece(b.X, b.Y, sx, 0, Math.Min(TightLevels.MaxWidth, rect.Width - sx), rect.Height, fill: true, colour);
                    }

                    continue;
                }

                _areas.Clear();
                SolidAreaFinder.Split(rect, TightLevels.MinSolidArea, _areas, MaxParallelism);
                pixelsToEncode += Cut(b.X, b.Y);
            }

            if (_pieceCount == 0)
            {
                return 0;
            }

            int workers = Math.Min(MaxParallelism, Math.Max(1, pixelsToEncode / (MinParallelPixels / 2)));
            workers = Math.Min(workers, _pieceCount);
            for (int w = 0; w < workers; w++)
            {
                _workers[w] = s_workers.Rent();
            }

            // Phase 1: classify and prepare each sub-rectangle (fills, JPEG and PNG are finished
            // there); phase 2: compress each basic piece on its stream, in order.
            _nextPiece = -1;
            try
            {
                if (workers <= 1)
                {
                    PrepareAll(_workers[0]!);
                    for (int s = 0; s < _streams.Length; s++)
                    {
                        CompressStream(s, settings.CompressLevel);
                    }
                }
                else if (_png)
                {
                    Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => PrepareAll(_workers[w]!));
                }
                else if (pixelsToEncode * _dataPerPixel >= MinSegmentedData)
                {
                    _segmented = true;
                    _pipeline.Run(_pieceCount, new ArraySegment<TightWorker?>(_workers, 0, workers), (i, worker) => Prepare(_pieces[i], _jobs[_pieces[i].Rect], worker!), _ => { });
                    CompressSegmented(workers, settings.CompressLevel);
                }
                else
                {
                    Pipeline(workers, settings.CompressLevel);
                }

                if (workers > 1 && !_png)
                {
                    _dataPerPixel = ZlibData() / (double)Math.Max(1, pixelsToEncode);
                }
            }
            finally
            {
                for (int w = 0; w < workers; w++)
                {
                    s_workers.Return(_workers[w]!);
                    _workers[w] = null;
                }
            }
        }

        // Phase 3: everything in the original order.
        try
        {
            Span<int> units = stackalloc int[4];
            for (int i = 0; i < _pieceCount; i++)
            {
                TightPiece piece = _pieces[i];
                if (_segmented && piece.Stream >= 0)
                {
                    WriteSegmented(output, piece, ref units[piece.Stream]);
                }
                else
                {
                    BufferWriting.WriteInPieces(output, piece.Output.WrittenSpan);
                }

                lossy[piece.Rect] |= piece.Lossy;
                LastEncodeWasLossy |= piece.Lossy;
                piece.Release();
            }
        }
        finally
        {
            if (_segmented)
            {
                foreach (DeflateSegments segments in _segments)
                {
                    segments.Release();
                }
            }
        }

        return _pieceCount;
    }

    /// <summary>
    /// The most colours a palette may have for a rectangle of <paramref name="area"/> pixels: one
    /// per <see cref="PixelsPerPaletteColour"/> pixels when the client allows JPEG, one per
    /// <see cref="PixelsPerPaletteColourLossless"/> when it does not, at least 2 and at most 256.
    /// A palette costs its colours uncompressed in the header, and the indices of a many-coloured
    /// rectangle compress worse than its pixels: with every palette up to 256 colours allowed,
    /// 1.6 MB of the video trace's 27.8 MB (Tight lossless, compress level 2) were palette
    /// headers; at one colour per 8, 16, 32, 64 and 128 pixels the trace took 26.7, 26.5, 26.2,
    /// 26.3 and 26.3 MB, and at one per 32 the xterm traces also shrank by about 1% (lossless and
    /// quality 8), while text (few colours over many pixels) stays indexed. Counting also stops
    /// sooner on many-coloured content. Since the solid-area search takes the largest areas
    /// first, fewer colours pay when lossless: at one per 48 (encperf, one pass of three runs),
    /// video 26.22 → 26.15 MB on each update's union (--union) and xterm_scroll 18.87 → 17.87 MB
    /// on the rectangles as recorded, for 40% more CPU there (1.17 s, TigerVNC's 3.24 s); one per
    /// 64 gained less. With JPEG allowed, one per 64 sent more text as JPEG (xterm_scroll 19.09 →
    /// 20.63 MB), so that stays at one per 32.
    /// </summary>
    internal static int PaletteLimit(int area, bool lossless) =>
        Math.Clamp(area / (lossless ? PixelsPerPaletteColourLossless : PixelsPerPaletteColour), 2, PaletteCounter.MaxColours);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (TightZlibStream stream in _streams)
        {
            stream.Dispose();
        }

        foreach (TightPiece piece in _pieces)
        {
            piece.Release();
        }
    }

    /// <summary>Turns <see cref="_areas"/> into pieces: fills cut by width, the rest by width and area. Returns the pixels to encode.</summary>
    private int Cut(int x, int y)
    {
        int pixels = 0;
        foreach (SolidArea area in _areas)
        {
            if (area.IsFill)
            {
                for (int sx = 0; sx < area.Width; sx += TightLevels.MaxWidth)
                {
                    AddPiece(x, y, area.X + sx, area.Y, Math.Min(TightLevels.MaxWidth, area.Width - sx), area.Height, fill: true, area.Colour);
                }

                continue;
            }

            pixels += area.Width * area.Height;
            int subWidth = Math.Min(area.Width, TightLevels.MaxWidth);
            int subHeight = Math.Max(1, TightLevels.MaxArea / subWidth);
            for (int sy = 0; sy < area.Height; sy += subHeight)
            {
                int h = Math.Min(subHeight, area.Height - sy);
                for (int sx = 0; sx < area.Width; sx += subWidth)
                {
                    AddPiece(x, y, area.X + sx, area.Y + sy, Math.Min(subWidth, area.Width - sx), h, fill: false, 0);
                }
            }
        }

        return pixels;
    }

    private void AddPiece(int originX, int originY, int relativeX, int relativeY, int width, int height, bool fill, uint colour)
    {
        if (_pieceCount == _pieces.Count)
        {
            _pieces.Add(new TightPiece());
        }

        _pieces[_pieceCount++].Reset(_currentRect, originX, originY, relativeX, relativeY, width, height, fill, colour);
    }

    /// <summary>
    /// Phases 1 and 2 overlapped (<see cref="OrderedPipeline"/>): <paramref name="workers"/> − 1
    /// helpers prepare pieces in order while the calling thread compresses each basic piece on
    /// its stream as soon as it is prepared, and prepares pieces itself while the next one is
    /// not ready. The streams see their pieces in the same order as without threads, so the
    /// bytes are the same.
    /// </summary>
    private void Pipeline(int workers, int compressLevel)
    {
        _pipeline.Run(
            _pieceCount,
            new ArraySegment<TightWorker?>(_workers, 0, workers),
            (i, worker) => Prepare(_pieces[i], _jobs[_pieces[i].Rect], worker!),
            i =>
            {
                TightPiece piece = _pieces[i];
                if (piece.Stream >= 0)
                {
                    WriteBasic(piece, _streams[piece.Stream], compressLevel);
                }
            });
    }

    private void PrepareAll(TightWorker worker)
    {
        int i;
        while ((i = Interlocked.Increment(ref _nextPiece)) < _pieceCount)
        {
            TightPiece piece = _pieces[i];
            Prepare(piece, _jobs[piece.Rect], worker);
        }
    }

    private void CompressStream(int stream, int compressLevel)
    {
        for (int i = 0; i < _pieceCount; i++)
        {
            TightPiece piece = _pieces[i];
            if (piece.Stream == stream)
            {
                WriteBasic(piece, _streams[stream], compressLevel);
            }
        }
    }

    private void Prepare(TightPiece piece, Job job, TightWorker worker)
    {
        PixelTranslator translator = job.Translator;
        if (piece.IsFill)
        {
            WriteFill(piece.Output, piece.X, piece.Y, piece.Width, piece.Height, piece.Colour, translator);
            return;
        }

        PixelView view = job.View.Slice(piece.RelativeX, piece.RelativeY, piece.Width, piece.Height);
        if (SolidDetector.IsSolid(view, out uint colour))
        {
            WriteFill(piece.Output, piece.X, piece.Y, view.Width, view.Height, colour, translator);
            return;
        }

        int area = view.Width * view.Height;
        int tpb = translator.TightPixelBytes;
        bool jpeg = job.Settings.AllowsLossy
            && area >= MinJpegArea
            && (_png || translator.Format.BitsPerPixel >= 16)
            && TurboJpeg.IsAvailable;

        // With 1-byte pixels only mono (1 bit a pixel) beats full colour.
        int limit = !_png && tpb == 1 ? 2 : PaletteLimit(area, !job.Settings.AllowsLossy);
        Span<byte> indices = worker.Indices.AsSpan(0, area);
        PaletteCounter palette = worker.Palette;
        if (palette.TryIndex(view, limit, indices))
        {
            palette.SortByValue(indices);
            int colours = palette.Count;
            if (colours == 1)
            {
                // Only the top (unused) byte differed.
                WriteFill(piece.Output, piece.X, piece.Y, view.Width, view.Height, palette.Colours[0], translator);
                return;
            }

            if (_png)
            {
                WritePng(piece, worker, view, palette: true, job.Settings.CompressLevel);
                return;
            }

            if (colours == 2)
            {
                PrepareMono(piece, worker, translator);
                return;
            }

            if ((colours * tpb) + area < area * tpb)
            {
                SetPaletteHeader(piece, palette, translator);
                piece.SetBasic(StreamIndexed, FilterPalette, indices);
                return;
            }
        }

        // Flat content is what JPEG does not suit, and what the gradient filter does not pay
        // on, so the JPEG test's answer also decides the filter.
        bool flat = jpeg && GradientEstimator.IsFlat(view);
        if (jpeg && !flat)
        {
            WriteJpeg(piece, worker, view, job.Settings);
        }
        else if (_png)
        {
            WritePng(piece, worker, view, palette: false, job.Settings.CompressLevel);
        }
        else
        {
            PrepareFullColour(piece, view, translator, flat);
        }
    }

    //  Fill: [control 1000rrrr][TPIXEL]
    private void WriteFill(IBufferWriter<byte> output, int x, int y, int width, int height, uint colour, PixelTranslator translator)
    {
        RectangleHeader.Write(output, x, y, width, height, _encoding);
        int tpb = translator.TightPixelBytes;
        Span<byte> span = output.GetSpan(1 + tpb);
        span[0] = FillControl;
        translator.TranslateRowTight(MemoryMarshal.CreateReadOnlySpan(ref colour, 1), span[1..]);
        output.Advance(1 + tpb);
    }

    //  Palette filter header: [colours - 1][colours TPIXELs]
    private static void SetPaletteHeader(TightPiece piece, PaletteCounter palette, PixelTranslator translator)
    {
        ReadOnlySpan<uint> colours = palette.Colours;
        Span<byte> header = piece.FilterHeaderBuffer;
        header[0] = (byte)(colours.Length - 1);
        int length = colours.Length * translator.TightPixelBytes;
        translator.TranslateRowTight(colours, header.Slice(1, length));
        piece.FilterHeaderLength = 1 + length;
    }

    // Mono rows: 1 bit a pixel (the palette index), most significant bit first, each row padded to a byte.
    private static void PrepareMono(TightPiece piece, TightWorker worker, PixelTranslator translator)
    {
        SetPaletteHeader(piece, worker.Palette, translator);
        int width = piece.Width;
        int height = piece.Height;
        int rowBytes = (width + 7) >> 3;
        Span<byte> bits = piece.RentData(rowBytes * height);
        ReadOnlySpan<byte> indices = worker.Indices;
        int k = 0;
        for (int row = 0; row < height; row++)
        {
            Span<byte> line = bits.Slice(row * rowBytes, rowBytes);
            int acc = 0;
            int col = 0;
            for (; col < width; col++, k++)
            {
                acc = (acc << 1) | indices[k];
                if ((col & 7) == 7)
                {
                    line[col >> 3] = (byte)acc;
                    acc = 0;
                }
            }

            if ((width & 7) != 0)
            {
                line[rowBytes - 1] = (byte)(acc << (8 - (width & 7)));
            }
        }

        piece.SetBasic(StreamMono, FilterPalette, default);
    }

    /// <summary>Full colour, with the gradient filter where it pays (never on content already found <paramref name="flat"/>).</summary>
    private static void PrepareFullColour(TightPiece piece, PixelView view, PixelTranslator translator, bool flat)
    {
        int tpb = translator.TightPixelBytes;
        int rowBytes = view.Width * tpb;
        Span<byte> data = piece.RentData(rowBytes * view.Height);
        for (int row = 0; row < view.Height; row++)
        {
            translator.TranslateRowTight(view.Row(row), data.Slice(row * rowBytes, rowBytes));
        }

        if (tpb == 3 && !flat && GradientEstimator.PaysOff(view))
        {
            ApplyGradient(data, view.Width, view.Height);
            piece.SetBasic(StreamGradient, FilterGradient, default);
        }
        else
        {
            piece.SetBasic(StreamFullColour, -1, default);
        }
    }

    /// <summary>
    /// Tight's gradient filter on 3-byte TPIXELs, in place: each byte becomes its value minus
    /// the prediction clamp(left + up − up-left, 0, 255), modulo 256; neighbours outside the
    /// rectangle are 0. Runs from the last byte back, so every neighbour read is still original.
    /// </summary>
    internal static void ApplyGradient(Span<byte> data, int width, int height)
    {
        int rowBytes = width * 3;
        for (int row = height - 1; row >= 0; row--)
        {
            Span<byte> line = data.Slice(row * rowBytes, rowBytes);
            ReadOnlySpan<byte> up = row > 0 ? data.Slice((row - 1) * rowBytes, rowBytes) : default;
            for (int i = rowBytes - 1; i >= 0; i--)
            {
                int left = i >= 3 ? line[i - 3] : 0;
                int above = row > 0 ? up[i] : 0;
                int corner = row > 0 && i >= 3 ? up[i - 3] : 0;
                int predicted = Math.Clamp(left + above - corner, 0, 255);
                line[i] = (byte)(line[i] - predicted);
            }
        }
    }

    //  Basic: [control 0fssrrrr][filter id, when f][filter header][compact length][zlib data]
    //         or, under 12 bytes of data: [control][filter id][filter header][data]
    private void WriteBasic(TightPiece piece, TightZlibStream zlib, int compressLevel)
    {
        ReadOnlySpan<byte> payload = piece.Data;
        bool compressed = payload.Length >= MinCompressedLength;
        bool reset = false;
        if (compressed)
        {
            payload = zlib.Compress(payload, LevelFor(piece.Stream, compressLevel), out reset);
            _ratios.Record(piece.X, piece.Y, piece.Width, piece.Height, piece.Data.Length, payload.Length);
        }

        WriteBasicHead(piece.Output, piece, compressed, reset, payload.Length);
        piece.Output.Write(payload);
    }

    /// <summary>
    /// The zlib level of <paramref name="stream"/>: full-colour data of a lossless call gets the
    /// higher level; with JPEG allowed, full colour is only what JPEG would not suit (small
    /// pieces, flat content), and a level below the palette table's keeps the CPU down
    /// (<see cref="TightLevels.LossyFullColourZlibLevel"/>).
    /// </summary>
    private int LevelFor(int stream, int compressLevel) =>
        stream is StreamFullColour or StreamGradient
            ? (_allowsLossy ? TightLevels.LossyFullColourZlibLevel(compressLevel) : TightLevels.FullColourZlibLevel(compressLevel))
            : TightLevels.ZlibLevel(compressLevel);

    /// <summary>Writes everything of a basic piece before its (compressed) data of <paramref name="payloadLength"/> bytes.</summary>
    private void WriteBasicHead(IBufferWriter<byte> output, TightPiece piece, bool compressed, bool reset, int payloadLength)
    {
        int stream = piece.Stream;
        int filter = piece.Filter;
        ReadOnlySpan<byte> filterHeader = piece.FilterHeader;
        RectangleHeader.Write(output, piece.X, piece.Y, piece.Width, piece.Height, _encoding);
        byte control = (byte)(stream << 4);
        if (filter >= 0)
        {
            control |= ExplicitFilter;
        }

        if (reset)
        {
            control |= (byte)(1 << stream);
        }

        int head = 1 + (filter >= 0 ? 1 : 0) + filterHeader.Length + (compressed ? TightCompactLength.SizeOf(payloadLength) : 0);
        Span<byte> span = output.GetSpan(head);
        int at = 0;
        span[at++] = control;
        if (filter >= 0)
        {
            span[at++] = (byte)filter;
        }

        filterHeader.CopyTo(span[at..]);
        at += filterHeader.Length;
        if (compressed)
        {
            at += TightCompactLength.Write(span[at..], payloadLength);
        }

        output.Advance(at);
    }

    /// <summary>
    /// Phase 2 when the data is compressed in segments: the basic pieces' data, stream by stream,
    /// is cut into segments (<see cref="DeflateSegments"/>), about as many in all as there are
    /// workers, shared out by expected cost (<see cref="CompressionRatioMap"/>), and all of them
    /// are compressed at once, the costliest first.
    /// </summary>
    private void CompressSegmented(int workers, int compressLevel)
    {
        double total = 0;
        for (int s = 0; s < _segments.Length; s++)
        {
            _segments[s].Clear();
            _resetPending[s] = false;
        }

        // Each piece weighed by how well its area compressed before, so the segments take
        // about the same time (CompressionRatioMap).
        for (int i = 0; i < _pieceCount; i++)
        {
            TightPiece piece = _pieces[i];
            if (piece.Stream >= 0 && piece.Data.Length >= MinCompressedLength)
            {
                double weight = _ratios.Weight(piece.X, piece.Y, piece.Width, piece.Height);
                _segments[piece.Stream].Add(piece.DataMemory, endsUnit: true, weight);
                total += piece.Data.Length * weight;
            }
        }

        _segmentJobs.Clear();
        for (int s = 0; s < _segments.Length; s++)
        {
            DeflateSegments segments = _segments[s];
            if (segments.UnitCount == 0)
            {
                continue;
            }

            Deflater stream = _streams[s].Start(LevelFor(s, compressLevel), out _resetPending[s]);
            stream.Sink.Clear();
            int wanted = (int)Math.Ceiling(segments.TotalCost * workers / total);
            int k = segments.Plan(stream, wanted);
            if (s == StreamFullColour)
            {
                _lastSegmentLengths.Clear();
            }

            for (int j = 0; j < k; j++)
            {
                _segmentJobs.Add((s, j, segments.SegmentCost(j)));
                if (s == StreamFullColour)
                {
                    _lastSegmentLengths.Add(segments.SegmentLength(j));
                }
            }
        }

        // The costliest first, so the last to finish is a small one; ties in stream and segment order.
        _segmentJobs.Sort((a, b) => a.Cost != b.Cost ? b.Cost.CompareTo(a.Cost) : a.Stream != b.Stream ? a.Stream.CompareTo(b.Stream) : a.Segment.CompareTo(b.Segment));
        if (_segmentJobs.Count == 1)
        {
            _segments[_segmentJobs[0].Stream].Run(_segmentJobs[0].Segment);
        }
        else if (_segmentJobs.Count > 1)
        {
            _pipeline.Run(
                _segmentJobs.Count,
                new ArraySegment<TightWorker?>(_workers, 0, Math.Min(workers, _segmentJobs.Count)),
                (i, _) => _segments[_segmentJobs[i].Stream].Run(_segmentJobs[i].Segment),
                _ => { });
        }

        for (int s = 0; s < _segments.Length; s++)
        {
            if (_segments[s].UnitCount > 0)
            {
                _streams[s].Continue(_segments[s].Finish());
            }
        }
    }

    /// <summary>The bytes of this call's pieces that go through zlib.</summary>
    private long ZlibData()
    {
        long total = 0;
        for (int i = 0; i < _pieceCount; i++)
        {
            TightPiece piece = _pieces[i];
            if (piece.Stream >= 0 && piece.Data.Length >= MinCompressedLength)
            {
                total += piece.Data.Length;
            }
        }

        return total;
    }

    /// <summary>Phase 3 for a basic piece whose data was compressed in segments: <paramref name="unit"/> counts its stream's compressed pieces.</summary>
    private void WriteSegmented(IBufferWriter<byte> output, TightPiece piece, ref int unit)
    {
        ReadOnlySpan<byte> data = piece.Data;
        if (data.Length < MinCompressedLength)
        {
            WriteBasicHead(output, piece, compressed: false, reset: false, data.Length);
            BufferWriting.WriteInPieces(output, data);
            return;
        }

        DeflateSegments segments = _segments[piece.Stream];
        bool reset = _resetPending[piece.Stream];
        _resetPending[piece.Stream] = false;
        int length = segments.UnitLength(unit);
        _ratios.Record(piece.X, piece.Y, piece.Width, piece.Height, data.Length, length);
        WriteBasicHead(output, piece, compressed: true, reset, length);
        segments.CopyUnit(unit++, output);
    }

    //  JPEG: [control 1001rrrr][compact length][JPEG image]
    private void WriteJpeg(TightPiece piece, TightWorker worker, PixelView view, in EncodeSettings settings)
    {
        piece.Lossy = true;
        (int quality, JpegSubsampling subsampling) = JpegQuality.For(settings);
        ReadOnlySpan<byte> jpeg = worker.Jpeg.Compress(view, quality, subsampling);
        PooledBufferWriter output = piece.Output;
        RectangleHeader.Write(output, piece.X, piece.Y, view.Width, view.Height, _encoding);
        Span<byte> span = output.GetSpan(4);
        span[0] = JpegControl;
        int at = 1 + TightCompactLength.Write(span[1..], jpeg.Length);
        output.Advance(at);
        output.Write(jpeg);
    }

    //  TightPNG PNG: [control 1010rrrr][compact length][PNG image]
    //  PNG: signature, IHDR (colour type 3 with PLTE for a palette, else 2), IDAT, IEND. Palette
    //  scanlines use filter 0; RGB scanlines use Paeth when GradientEstimator says prediction
    //  pays, else 0. Each PNG is a complete zlib stream, so it gets a new ZLibStream (the BCL
    //  cannot reset one): the one allocation per rectangle left in these encoders.
    private void WritePng(TightPiece piece, TightWorker worker, PixelView view, bool palette, int compressLevel)
    {
        int width = view.Width;
        int height = view.Height;
        int pixelBytes = palette ? 1 : 3;
        int lineBytes = 1 + (width * pixelBytes);
        Span<byte> lines = worker.Scratch.AsSpan(0, lineBytes * height);
        if (palette)
        {
            for (int row = 0; row < height; row++)
            {
                lines[row * lineBytes] = 0;
                worker.Indices.AsSpan(row * width, width).CopyTo(lines.Slice((row * lineBytes) + 1));
            }
        }
        else
        {
            for (int row = 0; row < height; row++)
            {
                _rgb.TranslateRowTight(view.Row(row), lines.Slice((row * lineBytes) + 1, width * 3));
            }

            byte filter = GradientEstimator.PaysOff(view) ? (byte)4 : (byte)0;
            if (filter == 4)
            {
                ApplyPaeth(lines, width, height);
            }

            for (int row = 0; row < height; row++)
            {
                lines[row * lineBytes] = filter;
            }
        }

        ByteSink sink = worker.PngSink;
        sink.Clear();
        using (var zlib = new ZLibStream(sink, new ZLibCompressionOptions { CompressionLevel = TightLevels.ZlibLevel(compressLevel) }, leaveOpen: true))
        {
            zlib.Write(lines);
        }

        ReadOnlySpan<byte> idat = sink.Written;
        int paletteLength = palette ? worker.Palette.Count * 3 : 0;
        int pngLength = 8 + (12 + 13) + (palette ? 12 + paletteLength : 0) + (12 + idat.Length) + 12;

        PooledBufferWriter output = piece.Output;
        RectangleHeader.Write(output, piece.X, piece.Y, width, height, _encoding);
        Span<byte> head = output.GetSpan(4 + 8 + 25);
        head[0] = PngControl;
        int at = 1 + TightCompactLength.Write(head[1..], pngLength);
        ReadOnlySpan<byte> signature = [137, 80, 78, 71, 13, 10, 26, 10];
        signature.CopyTo(head[at..]);
        at += 8;
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)height);
        ihdr[8] = 8;
        ihdr[9] = palette ? (byte)3 : (byte)2;
        ihdr[10] = 0;
        ihdr[11] = 0;
        ihdr[12] = 0;
        output.Advance(at);
        WriteChunk(output, "IHDR"u8, ihdr);
        if (palette)
        {
            Span<byte> plte = worker.PaletteBytes.AsSpan(0, paletteLength);
            _rgb.TranslateRowTight(worker.Palette.Colours, plte);
            WriteChunk(output, "PLTE"u8, plte);
        }

        WriteChunk(output, "IDAT"u8, idat);
        WriteChunk(output, "IEND"u8, default);
    }

    /// <summary>PNG's Paeth filter over RGB scanlines that each start with a filter byte, in place from the end.</summary>
    private static void ApplyPaeth(Span<byte> lines, int width, int height)
    {
        int lineBytes = 1 + (width * 3);
        for (int row = height - 1; row >= 0; row--)
        {
            Span<byte> line = lines.Slice((row * lineBytes) + 1, width * 3);
            ReadOnlySpan<byte> up = row > 0 ? lines.Slice(((row - 1) * lineBytes) + 1, width * 3) : default;
            for (int i = line.Length - 1; i >= 0; i--)
            {
                int a = i >= 3 ? line[i - 3] : 0;
                int b = row > 0 ? up[i] : 0;
                int c = row > 0 && i >= 3 ? up[i - 3] : 0;
                int p = a + b - c;
                int pa = Math.Abs(p - a);
                int pb = Math.Abs(p - b);
                int pc = Math.Abs(p - c);
                int predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                line[i] = (byte)(line[i] - predicted);
            }
        }
    }

    //  Chunk: [u32 length][4-byte type][data][u32 CRC-32 of type and data]
    private static void WriteChunk(IBufferWriter<byte> output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = output.GetSpan(8);
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        type.CopyTo(head[4..]);
        output.Advance(8);
        BufferWriting.WriteInPieces(output, data);
        uint crc = PngCrc32.Finish(PngCrc32.Update(PngCrc32.Update(0xFFFF_FFFF, type), data));
        Span<byte> tail = output.GetSpan(4);
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Advance(4);
    }

    /// <summary>The pinned pixels of one rectangle of the batch being encoded and its settings, shared by the workers of one call.</summary>
    private readonly unsafe struct Job(uint* pixels, int stride, int width, int height, PixelTranslator translator, EncodeSettings settings)
    {
        private readonly uint* _pixels = pixels;

        public PixelTranslator Translator { get; } = translator;

        public EncodeSettings Settings { get; } = settings;

        public PixelView View => new(new ReadOnlySpan<uint>(_pixels, ((height - 1) * stride) + width), stride, width, height);
    }
}
