using System.Buffers;
using System.Diagnostics;
using ConsoleBridge;
using Microsoft.Extensions.Logging;
using Rfb.Encodings;

namespace Rfb.Sessions;

/// <summary>
/// Runs every encoder once over a small synthetic frame when the first server of the process is
/// created (<see cref="RfbServerOptions.WarmUpEncoders"/>), then the segmented encoders over a
/// large one and then <see cref="SessionWarmUp"/>, so that the JIT compiles their code before
/// the first client needs it. Without it the first updates of a process wait for that compiling:
/// on the glxgears trace with Tight at quality 8, the first four updates took 18–64 ms against a
/// median of 3 ms. The frame has a solid area, two-colour text, a small palette, a gradient and
/// noise, so fills, mono, indexed, gradient, full-colour, JPEG and every ZRLE subencoding run;
/// each encoding is run lossless and at quality 8, for a 32-bit and a 16-bit client, through
/// <see cref="IRectangleEncoder.EncodeBatch"/> as the sessions call it.
/// </summary>
internal static class EncoderWarmUp
{
    private const int Width = 320, Height = 192;

    private static readonly int[] s_encodings =
        [EncodingType.Tight, EncodingType.TightPng, EncodingType.Zrle, EncodingType.Hextile, EncodingType.Zlib, EncodingType.Raw];

    /// <summary>Encodes the frame with every encoding and setting; returns the bytes each encoding wrote in all (for tests).</summary>
    public static Dictionary<int, long> Run()
    {
        uint[] pixels = Frame();
        var surface = new PixelView(pixels, Width, Width, Height);
        BatchRect[] rects =
        [
            new(0, 0, Width, Height / 2, 0, 0),
            new(0, Height / 2, Width / 2, Height / 2, 0, Height / 2),
            new(Width / 2, Height / 2, Width / 2, Height / 2, Width / 2, Height / 2),
        ];
        var lossy = new bool[rects.Length];
        var output = new ArrayBufferWriter<byte>(1 << 18);
        PixelFormat rgb565 = new(16, 16, false, true, 31, 63, 31, 11, 5, 0);
        var bytes = new Dictionary<int, long>();
        foreach (PixelFormat format in new[] { PixelFormat.Canonical, rgb565 })
        {
            var translator = new PixelTranslator(format);
            foreach (int encoding in s_encodings)
            {
                foreach (EncodeSettings settings in new[] { new EncodeSettings(), new EncodeSettings { QualityLevel = 8 } })
                {
                    IRectangleEncoder encoder = EncoderCatalog.Create(encoding);
                    try
                    {
                        output.ResetWrittenCount();
                        encoder.EncodeBatch(surface, rects, translator, settings, output, lossy);
                        bytes[encoding] = bytes.GetValueOrDefault(encoding) + output.WrittenCount;
                    }
                    finally
                    {
                        (encoder as IDisposable)?.Dispose();
                    }
                }
            }
        }

        return bytes;
    }

    /// <summary>The large frame: 512 Ki pixels, so that Tight's search for solid areas runs as two bands at once (SolidAreaFinder.MinBandPixels).</summary>
    internal const int LargeWidth = 1024, LargeHeight = 512;

    /// <summary>Rows of the large frame: two-colour text, then a smooth gradient, then cells of 32 colours; noise below.</summary>
    internal const int LargeTextRows = 64, LargeGradientEnd = 192, LargePaletteEnd = 320;

    /// <summary>
    /// Encodes one large rectangle losslessly, twice, with the encodings that compress in
    /// parallel segments once a batch holds enough data (Tight, Zlib; ZRLE is run by
    /// <see cref="SessionWarmUp"/>), so that their segment code is compiled too; returns the
    /// bytes each wrote the second time. The frame holds what a first real frame may hold and the
    /// small frames do not reach: bands of text, a gradient (Tight's gradient filter), a palette
    /// of more than 16 colours (its sort), noise, and enough pixels for the solid-area search's
    /// two bands at once; each had been compiled during a recorded trace's first updates.
    /// </summary>
    public static Dictionary<int, long> RunLarge()
    {
        var random = new Random(3);
        var pixels = new uint[LargeWidth * LargeHeight];
        for (int i = 0; i < pixels.Length; i++)
        {
            int x = i % LargeWidth, y = i / LargeWidth;
            pixels[i] = y switch
            {
                < LargeTextRows => ((x / 8) + y) % 3 == 0 ? 0x00E0E0E0u : 0x00102030u,
                < LargeGradientEnd => (uint)(((x / 4) << 16) | ((y * 2) << 8) | ((x + y) / 8)),
                < LargePaletteEnd => 0x00402000u + (uint)((((x / 8) * 7) + ((y / 8) * 3)) % 32 * 0x00000805),
                _ => (uint)random.Next(0x1000000),
            };
        }

        var surface = new PixelView(pixels, LargeWidth, LargeWidth, LargeHeight);
        BatchRect[] rects = [new(0, 0, LargeWidth, LargeHeight, 0, 0)];
        var lossy = new bool[1];
        var output = new ArrayBufferWriter<byte>(1 << 20);
        var translator = new PixelTranslator(PixelFormat.Canonical);
        var bytes = new Dictionary<int, long>();
        foreach (int encoding in new[] { EncodingType.Tight, EncodingType.Zlib })
        {
            IRectangleEncoder encoder = EncoderCatalog.Create(encoding);
            try
            {
                // Twice: an encoder cuts a batch into segments once it has seen how much data
                // such pixels make, so only the second call takes that path.
                for (int pass = 0; pass < 2; pass++)
                {
                    output.ResetWrittenCount();
                    encoder.EncodeBatch(surface, rects, translator, new EncodeSettings(), output, lossy);
                }

                bytes[encoding] = output.WrittenCount;
            }
            finally
            {
                (encoder as IDisposable)?.Dispose();
            }
        }

        return bytes;
    }

    private static readonly object s_lock = new();
    private static Task? s_task;

    /// <summary>
    /// Starts <see cref="Run"/>, <see cref="RunLarge"/> and <see cref="SessionWarmUp"/> on a
    /// thread-pool thread, once per process, and returns that one task; a failure is logged, never
    /// thrown, so the task always completes successfully.
    /// </summary>
    public static Task StartOnce(ILogger logger)
    {
        lock (s_lock)
        {
            return s_task ??= Task.Run(() => WarmAsync(logger));
        }
    }

    private static async Task WarmAsync(ILogger logger)
    {
        try
        {
            long start = Stopwatch.GetTimestamp();
            long bytes = Run().Values.Sum() + RunLarge().Values.Sum();
            SortRectangles();
            foreach (int[] encodings in SessionWarmUp.Sessions)
            {
                bytes += (await SessionWarmUp.RunAsync(encodings, TimeSpan.FromSeconds(30)).ConfigureAwait(false)).Bytes;
            }

            logger.LogDebug("Encoders and the update path warmed up in {Milliseconds:F0} ms ({Bytes} bytes)", Stopwatch.GetElapsedTime(start).TotalMilliseconds, bytes);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Warming up the encoders failed; the first updates may be slower");
        }
    }

    /// <summary>
    /// Sorts 32 rectangles: the console sorts the rectangles of a damage it joined across tile
    /// columns, and past 16 of them the sort partitions, code that the frames here do not reach
    /// and that was compiled during a recorded trace's first updates.
    /// </summary>
    internal static List<PixelRect> SortRectangles()
    {
        var rects = new List<PixelRect>(32);
        for (int i = 32; i > 0; i--)
        {
            rects.Add(new PixelRect(i * 5 % 17, i, 1, 1));
        }

        rects.Sort(static (a, b) => a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X.CompareTo(b.X));
        return rects;
    }

    private static uint[] Frame()
    {
        var pixels = new uint[Width * Height];
        var random = new Random(1);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                pixels[(y * Width) + x] = (x / 80) switch
                {
                    0 => 0x00204060,                                                          // solid
                    1 => ((x * 7) ^ (y * 3)) % 5 == 0 ? 0x00FFFFFFu : 0x00000000u,           // two-colour text
                    2 => (uint)(((x + y) / 6 % 12) * 0x00131517),                           // a small palette
                    _ when y < Height / 2 => (uint)((x * 255 / Width) << 16 | (y * 255 / Height) << 8 | 0x40), // gradient
                    _ => (uint)random.Next(0x1000000),                                        // noise
                };
            }
        }

        return pixels;
    }
}
