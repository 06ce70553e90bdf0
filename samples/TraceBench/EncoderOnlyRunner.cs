using System.Buffers;
using System.Diagnostics;
using Rfb.Encodings;
using Rfb.Recording;
using Rfb.Sessions;

namespace TraceBench;

/// <summary>
/// Encodes every recorded Raw rectangle as given, in order, with one session's encoder (so zlib
/// streams carry over as in a session) and no damage refinement: the work TigerVNC's
/// <c>tests/perf/encperf</c> measures. CopyRect rectangles are not encoded (they cost nothing).
/// </summary>
internal static class EncoderOnlyRunner
{
    public static BenchResult Run(LoadedTrace trace, BenchOptions options)
    {
        if (!EncoderCatalog.IsSupported(options.Encoding))
        {
            throw new BenchOptionsException($"--encoder-only: this build has no {EncodingNames.Name(options.Encoding)} encoder yet.");
        }

        if (options.Threads > 0)
        {
            CpuAffinity.Limit(Environment.ProcessId, options.Threads);
        }

        // Canonical pixels (top byte zero) are prepared before timing.
        var rects = new List<(int X, int Y, int Width, int Height, uint[] Pixels)>();
        foreach (TraceUpdate u in trace.Updates)
        {
            foreach (TraceOperation op in u.Operations)
            {
                if (op.Kind == TraceOperationKind.Raw && op.Width > 0 && op.Height > 0)
                {
                    var canonical = new uint[op.Width * op.Height];
                    ReadOnlySpan<byte> source = op.Pixels.Span;
                    for (int i = 0; i < canonical.Length; i++)
                    {
                        canonical[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(source[(i * 4)..]) & 0x00FFFFFF;
                    }

                    rects.Add((op.X, op.Y, op.Width, op.Height, canonical));
                }
            }
        }

        var settings = new EncodeSettings
        {
            CompressLevel = options.Compress, // -1: none named, as a client that sends none
            QualityLevel = options.Quality,
        };
        var translator = new PixelTranslator(PixelFormat.Canonical);
        using IRectangleEncoder encoder = EncoderCatalog.Create(options.Encoding);
        var output = new ArrayBufferWriter<byte>(4 << 20);
        long bytes = 0, rawBytes = 0, pixels = 0;
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long started = Stopwatch.GetTimestamp();
        foreach ((int x, int y, int w, int h, uint[] p) in rects)
        {
            output.ResetWrittenCount();
            encoder.Encode(new PixelView(p, w, w, h), x, y, translator, settings, output);
            bytes += output.WrittenCount;
            rawBytes += RectangleHeader.Size + ((long)w * h * 4);
            pixels += (long)w * h;
        }

        double seconds = Math.Max(1e-9, Stopwatch.GetElapsedTime(started).TotalSeconds);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new BenchResult
        {
            Trace = trace.Name,
            Server = "rfb-encoder",
            Updates = trace.Updates.Count,
            MpxDamaged = trace.DamagedPixels / 1e6,
            MpxSent = pixels / 1e6,
            Bytes = bytes,
            RawBytes = rawBytes,
            CpuMsPerUpdate = cpu.TotalMilliseconds / trace.Updates.Count,
            MpxPerS = pixels / 1e6 / seconds,
            FinalFrame = $"encoder only: {rects.Count} rectangles, {cpu.TotalSeconds:0.000} s CPU, {seconds:0.000} s wall",
        };
    }
}
