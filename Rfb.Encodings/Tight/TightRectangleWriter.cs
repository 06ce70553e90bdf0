using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Rfb.Encodings.Analysis;
using Rfb.Encodings.Jpeg;

namespace Rfb.Encodings.Tight;

/// <summary>
/// The work shared by <see cref="TightEncoder"/> and <see cref="TightPngEncoder"/>: cutting a
/// rectangle into sub-rectangles, choosing a subencoding for each, and writing it. Holds one
/// session's zlib streams, a JPEG compressor and scratch buffers, so nothing is allocated per
/// rectangle (except a PNG's own zlib stream, see <see cref="WritePng"/>).
/// </summary>
/// <remarks>
/// <para>Choice per sub-rectangle, in this order:</para>
/// <list type="number">
/// <item>one colour: a fill (the whole rectangle is tried first, so a large solid area becomes
/// fills at most 2048 pixels wide whatever its area);</item>
/// <item>few colours (<see cref="PaletteLimit"/>): mono (2 colours, 1 bit a pixel) or indexed
/// (8-bit indices) when that is smaller than full colour; lossless even when JPEG is allowed,
/// which keeps anti-aliased text sharp and small;</item>
/// <item>many colours, not flat (<see cref="GradientEstimator.Classify"/>: most pixels differ
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
/// </remarks>
internal sealed class TightRectangleWriter : IDisposable
{
    /// <summary>Data shorter than this is sent without zlib (the spec's rule).</summary>
    public const int MinCompressedLength = 12;

    /// <summary>Smaller many-coloured rectangles are not worth a JPEG's fixed headers (about 600 bytes).</summary>
    public const int MinJpegArea = 1024;

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
    private readonly PaletteCounter _palette = new();
    private readonly byte[] _indices = new byte[TightLevels.MaxArea];

    // Translated rows, mono bits or PNG scanlines: at most 4 bytes a pixel plus a filter byte a row.
    private readonly byte[] _scratch = new byte[(TightLevels.MaxArea * 4) + TightLevels.MaxArea];
    private readonly byte[] _paletteBytes = new byte[PaletteCounter.MaxColours * 4];
    private readonly PixelTranslator _rgb = new(PixelFormat.Canonical);
    private ByteSink? _pngSink;
    private JpegCompressor? _jpeg;
    private bool _disposed;

    public TightRectangleWriter(bool png)
    {
        _png = png;
        _encoding = png ? EncodingType.TightPng : EncodingType.Tight;
        _streams = png ? [] : [new(), new(), new(), new()];
    }

    public int Encoding => _encoding;

    /// <summary>Whether the last <see cref="Encode"/> wrote a JPEG rectangle.</summary>
    public bool LastEncodeWasLossy { get; private set; }

    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentNullException.ThrowIfNull(output);
        LastEncodeWasLossy = false;
        if (rect.IsEmpty)
        {
            return 0;
        }

        int written = 0;
        if (SolidDetector.IsSolid(rect, out uint colour))
        {
            for (int sx = 0; sx < rect.Width; sx += TightLevels.MaxWidth)
            {
                WriteFill(output, x + sx, y, Math.Min(TightLevels.MaxWidth, rect.Width - sx), rect.Height, colour, translator);
                written++;
            }

            return written;
        }

        int subWidth = Math.Min(rect.Width, TightLevels.MaxWidth);
        int subHeight = Math.Max(1, TightLevels.MaxArea / subWidth);
        for (int sy = 0; sy < rect.Height; sy += subHeight)
        {
            int h = Math.Min(subHeight, rect.Height - sy);
            for (int sx = 0; sx < rect.Width; sx += subWidth)
            {
                int w = Math.Min(subWidth, rect.Width - sx);
                EncodeSubRectangle(rect.Slice(sx, sy, w, h), x + sx, y + sy, translator, settings, output);
                written++;
            }
        }

        return written;
    }

    /// <summary>
    /// The most colours a palette may have for a rectangle of <paramref name="area"/> pixels.
    /// Lossless: 256. With JPEG allowed: an eighth of the area, at least 24 and at most 256, so
    /// text and user-interface content stays lossless while photographs go to JPEG.
    /// </summary>
    internal static int PaletteLimit(int area, bool lossy) => lossy ? Math.Clamp(area / 8, 24, PaletteCounter.MaxColours) : PaletteCounter.MaxColours;

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

        _pngSink?.Dispose();
        _jpeg?.Dispose();
    }

    private void EncodeSubRectangle(PixelView view, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        if (SolidDetector.IsSolid(view, out uint colour))
        {
            WriteFill(output, x, y, view.Width, view.Height, colour, translator);
            return;
        }

        int area = view.Width * view.Height;
        int tpb = translator.TightPixelBytes;
        bool jpeg = settings.AllowsLossy
            && area >= MinJpegArea
            && (_png || translator.Format.BitsPerPixel >= 16)
            && TurboJpeg.IsAvailable;

        // With 1-byte pixels only mono (1 bit a pixel) beats full colour.
        int limit = !_png && tpb == 1 ? 2 : PaletteLimit(area, jpeg);
        Span<byte> indices = _indices.AsSpan(0, area);
        if (_palette.TryIndex(view, limit, indices))
        {
            int colours = _palette.Count;
            if (colours == 1)
            {
                // Only the top (unused) byte differed.
                WriteFill(output, x, y, view.Width, view.Height, _palette.Colours[0], translator);
                return;
            }

            if (_png)
            {
                WritePng(output, x, y, view, palette: true, settings.CompressLevel);
                return;
            }

            if (colours == 2)
            {
                WriteMono(output, x, y, view.Width, view.Height, translator, settings.CompressLevel);
                return;
            }

            if ((colours * tpb) + area < area * tpb)
            {
                WriteBasic(output, x, y, view.Width, view.Height, StreamIndexed, FilterPalette, PaletteHeader(translator), indices, settings.CompressLevel);
                return;
            }
        }

        if (jpeg && GradientEstimator.Classify(view) != ContentKind.Flat)
        {
            WriteJpeg(output, x, y, view, settings);
        }
        else if (_png)
        {
            WritePng(output, x, y, view, palette: false, settings.CompressLevel);
        }
        else
        {
            WriteFullColour(output, x, y, view, translator, settings.CompressLevel);
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
    private ReadOnlySpan<byte> PaletteHeader(PixelTranslator translator)
    {
        ReadOnlySpan<uint> colours = _palette.Colours;
        _paletteBytes[0] = (byte)(colours.Length - 1);
        int length = colours.Length * translator.TightPixelBytes;
        translator.TranslateRowTight(colours, _paletteBytes.AsSpan(1, length));
        return _paletteBytes.AsSpan(0, 1 + length);
    }

    // Mono rows: 1 bit a pixel (the palette index), most significant bit first, each row padded to a byte.
    private void WriteMono(IBufferWriter<byte> output, int x, int y, int width, int height, PixelTranslator translator, int compressLevel)
    {
        ReadOnlySpan<byte> header = PaletteHeader(translator);
        int rowBytes = (width + 7) >> 3;
        Span<byte> bits = _scratch.AsSpan(0, rowBytes * height);
        ReadOnlySpan<byte> indices = _indices;
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

        WriteBasic(output, x, y, width, height, StreamMono, FilterPalette, header, bits, compressLevel);
    }

    private void WriteFullColour(IBufferWriter<byte> output, int x, int y, PixelView view, PixelTranslator translator, int compressLevel)
    {
        int tpb = translator.TightPixelBytes;
        int rowBytes = view.Width * tpb;
        Span<byte> data = _scratch.AsSpan(0, rowBytes * view.Height);
        for (int row = 0; row < view.Height; row++)
        {
            translator.TranslateRowTight(view.Row(row), data.Slice(row * rowBytes, rowBytes));
        }

        if (tpb == 3 && GradientEstimator.PaysOff(view))
        {
            ApplyGradient(data, view.Width, view.Height);
            WriteBasic(output, x, y, view.Width, view.Height, StreamGradient, FilterGradient, default, data, compressLevel);
        }
        else
        {
            WriteBasic(output, x, y, view.Width, view.Height, StreamFullColour, -1, default, data, compressLevel);
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
    private void WriteBasic(IBufferWriter<byte> output, int x, int y, int width, int height, int stream, int filter, ReadOnlySpan<byte> filterHeader, ReadOnlySpan<byte> data, int compressLevel)
    {
        RectangleHeader.Write(output, x, y, width, height, _encoding);
        byte control = (byte)(stream << 4);
        if (filter >= 0)
        {
            control |= ExplicitFilter;
        }

        ReadOnlySpan<byte> payload = data;
        bool compressed = data.Length >= MinCompressedLength;
        if (compressed)
        {
            payload = _streams[stream].Compress(data, TightLevels.ZlibLevel(compressLevel), out bool reset);
            if (reset)
            {
                control |= (byte)(1 << stream);
            }
        }

        int head = 1 + (filter >= 0 ? 1 : 0) + filterHeader.Length + (compressed ? TightCompactLength.SizeOf(payload.Length) : 0);
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
            at += TightCompactLength.Write(span[at..], payload.Length);
        }

        output.Advance(at);
        WriteBytes(output, payload);
    }

    //  JPEG: [control 1001rrrr][compact length][JPEG image]
    private void WriteJpeg(IBufferWriter<byte> output, int x, int y, PixelView view, in EncodeSettings settings)
    {
        _jpeg ??= new JpegCompressor();
        LastEncodeWasLossy = true;
        (int quality, JpegSubsampling subsampling) = JpegQuality.For(settings);
        ReadOnlySpan<byte> jpeg = _jpeg.Compress(view, quality, subsampling);
        RectangleHeader.Write(output, x, y, view.Width, view.Height, _encoding);
        Span<byte> span = output.GetSpan(4);
        span[0] = JpegControl;
        int at = 1 + TightCompactLength.Write(span[1..], jpeg.Length);
        output.Advance(at);
        WriteBytes(output, jpeg);
    }

    //  TightPNG PNG: [control 1010rrrr][compact length][PNG image]
    //  PNG: signature, IHDR (colour type 3 with PLTE for a palette, else 2), IDAT, IEND. Palette
    //  scanlines use filter 0; RGB scanlines use Paeth when GradientEstimator says prediction
    //  pays, else 0. Each PNG is a complete zlib stream, so it gets a new ZLibStream (the BCL
    //  cannot reset one): the one allocation per rectangle left in these encoders.
    private void WritePng(IBufferWriter<byte> output, int x, int y, PixelView view, bool palette, int compressLevel)
    {
        int width = view.Width;
        int height = view.Height;
        int pixelBytes = palette ? 1 : 3;
        int lineBytes = 1 + (width * pixelBytes);
        Span<byte> lines = _scratch.AsSpan(0, lineBytes * height);
        if (palette)
        {
            for (int row = 0; row < height; row++)
            {
                lines[row * lineBytes] = 0;
                _indices.AsSpan(row * width, width).CopyTo(lines.Slice((row * lineBytes) + 1));
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

        _pngSink ??= new ByteSink();
        _pngSink.Clear();
        using (var zlib = new ZLibStream(_pngSink, new ZLibCompressionOptions { CompressionLevel = TightLevels.ZlibLevel(compressLevel) }, leaveOpen: true))
        {
            zlib.Write(lines);
        }

        ReadOnlySpan<byte> idat = _pngSink.Written;
        int paletteLength = palette ? _palette.Count * 3 : 0;
        int pngLength = 8 + (12 + 13) + (palette ? 12 + paletteLength : 0) + (12 + idat.Length) + 12;

        RectangleHeader.Write(output, x, y, width, height, _encoding);
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
            Span<byte> plte = _paletteBytes.AsSpan(0, paletteLength);
            _rgb.TranslateRowTight(_palette.Colours, plte);
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
        WriteBytes(output, data);
        uint crc = PngCrc32.Finish(PngCrc32.Update(PngCrc32.Update(0xFFFF_FFFF, type), data));
        Span<byte> tail = output.GetSpan(4);
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Advance(4);
    }

    /// <summary>Copies <paramref name="bytes"/> in the pieces the writer offers, so a large payload never forces one huge buffer.</summary>
    private static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            Span<byte> span = output.GetSpan(1);
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }
}
