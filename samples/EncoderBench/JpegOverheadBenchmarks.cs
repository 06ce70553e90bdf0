using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Rfb.Encodings;
using Rfb.Encodings.Jpeg;
using Rfb.Encodings.Tight;

namespace EncoderBench;

/// <summary>
/// The Tight encoder's own cost around JPEG: the encoder at quality 8 (one thread) on a video
/// frame against bare TurboJPEG calls, with the same handle reuse, quality and subsampling, on
/// exactly the sub-rectangles the encoder sent as JPEG. The ratio of the two means is the
/// encoder's overhead (cutting, solid and palette checks, content classification, headers and
/// copies). Setup prints the share of the frame's pixels that went out as JPEG; what is not
/// JPEG (fills) counts as overhead too, so the figure errs high.
/// </summary>
[MemoryDiagnoser]
public class JpegOverheadBenchmarks
{
    private static readonly EncodeSettings s_settings = new() { CompressLevel = 2, QualityLevel = 8 };
    private readonly PixelTranslator _translator = new(PixelFormat.Canonical);
    private readonly ArrayBufferWriter<byte> _output = new(1 << 22);
    private readonly List<(int X, int Y, int W, int H)> _jpegRects = [];
    private TraceRect? _rect;
    private TightEncoder? _encoder;
    private JpegCompressor? _jpeg;

    [GlobalSetup]
    public void Setup()
    {
        if (!TurboJpeg.IsAvailable)
        {
            throw new InvalidOperationException("libturbojpeg.so.0 is not available.");
        }

        // Of every 10th update of the video trace, the rectangle with the most pixels sent as JPEG.
        TraceFrames frames = TraceFrames.Load(Path.Combine(TraceLocator.Folder, "video.fbs.zst"), every: 10);
        _encoder = new TightEncoder(1);
        _jpeg = new JpegCompressor();
        long best = -1;
        foreach (TraceRect rect in frames.Updates.SelectMany(u => u))
        {
            var rects = new List<(int X, int Y, int W, int H)>();
            long pixels = JpegPixels(rect, rects);
            if (pixels > best)
            {
                best = pixels;
                _rect = rect;
                _jpegRects.Clear();
                _jpegRects.AddRange(rects);
            }
        }

        Console.WriteLine($"// {_rect!.W}x{_rect.H} at ({_rect.X}, {_rect.Y}): {_jpegRects.Count} JPEG sub-rectangles, {100.0 * best / (_rect.W * _rect.H):0.0}% of the pixels");
    }

    /// <summary>Encodes the rectangle and lists the sub-rectangles that went out as JPEG (control 1001xxxx).</summary>
    private long JpegPixels(TraceRect rect, List<(int X, int Y, int W, int H)> jpegRects)
    {
        _output.ResetWrittenCount();
        _encoder!.Encode(rect.View, rect.X, rect.Y, _translator, s_settings, _output);
        ReadOnlySpan<byte> bytes = _output.WrittenSpan;
        long jpegPixels = 0;
        int at = 0;
        while (at < bytes.Length)
        {
            int x = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);
            int y = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 2)..]);
            int w = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 4)..]);
            int h = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 6)..]);
            byte control = bytes[at + 12];
            at += 13;
            if ((control & 0xF0) == 0x80)
            {
                at += 3;
                continue;
            }

            if ((control & 0xF0) != 0x90)
            {
                // Not a fill or JPEG: this walker cannot skip it, and the rectangle is no pure JPEG case.
                return -1;
            }

            int length = bytes[at] & 0x7F;
            int n = 1;
            if ((bytes[at] & 0x80) != 0)
            {
                length |= (bytes[at + 1] & 0x7F) << 7;
                n = 2;
                if ((bytes[at + 1] & 0x80) != 0)
                {
                    length |= bytes[at + 2] << 14;
                    n = 3;
                }
            }

            at += n + length;
            jpegRects.Add((x - rect.X, y - rect.Y, w, h));
            jpegPixels += (long)w * h;
        }

        return jpegPixels;
    }

    [Benchmark(Baseline = true)]
    public long BareTurboJpeg()
    {
        (int quality, JpegSubsampling subsampling) = JpegQuality.For(s_settings);
        PixelView view = _rect!.View;
        long bytes = 0;
        foreach (var (x, y, w, h) in _jpegRects)
        {
            bytes += _jpeg!.Compress(view.Slice(x, y, w, h), quality, subsampling).Length;
        }

        return bytes;
    }

    [Benchmark]
    public long TightEncoderQ8()
    {
        _output.ResetWrittenCount();
        _encoder!.Encode(_rect!.View, _rect.X, _rect.Y, _translator, s_settings, _output);
        return _output.WrittenCount;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder?.Dispose();
        _jpeg?.Dispose();
    }
}
