using System.Buffers;
using Rfb.Encodings;
using Rfb.Recording;
using Rfb.Sessions;
using Rfb.Tests.EndToEnd.Tools;
using Rfb.Tests.Encodings.Tight;

namespace Rfb.Tests.NoVnc;

/// <summary>
/// Our encoders' bytes decoded by noVNC's own decoders (under Node): lossless encodings must be
/// pixel-exact, JPEG at quality 8 at least 35 dB, on synthetic content and on trace frames.
/// </summary>
public sealed class OurEncodersThroughNoVncTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static TheoryData<int, string> LosslessCases()
    {
        var data = new TheoryData<int, string>();
        foreach (int encoding in new[] { EncodingType.Raw, EncodingType.Hextile, EncodingType.Zlib, EncodingType.Zrle, EncodingType.Tight, EncodingType.TightPng })
        {
            foreach (string content in new[] { "solid", "text", "gradient", "noise", "edges", "wide", "trace" })
            {
                data.Add(encoding, content);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LosslessCases))]
    public async Task Encode_Lossless_NoVncDecodesPixelExact(int encoding, string content)
    {
        (ImageRgb frame, List<(int X, int Y, int W, int H)> rects) = Content(content);
        ImageRgb decoded = await EncodeAndDecodeAsync(encoding, new EncodeSettings { CompressLevel = 2 }, frame, rects);
        ImageAssert.Equal(frame, decoded, $"encoding {encoding}, {content}");
    }

    [Theory]
    [InlineData(EncodingType.Tight, "noise")]
    [InlineData(EncodingType.Tight, "trace")]
    [InlineData(EncodingType.TightPng, "noise")]
    [InlineData(EncodingType.TightPng, "gradient")]
    public async Task Encode_JpegQuality8_NoVncDecodesAbove35dB(int encoding, string content)
    {
        (ImageRgb frame, List<(int X, int Y, int W, int H)> rects) = Content(content);
        ImageRgb decoded = await EncodeAndDecodeAsync(encoding, new EncodeSettings { CompressLevel = 2, QualityLevel = 8 }, frame, rects);
        double psnr = ImageQuality.Psnr(frame.Pixels, decoded.Pixels);
        Assert.True(psnr >= 35, $"PSNR {psnr:F1} dB for encoding {encoding}, {content}");
    }

    private static async Task<ImageRgb> EncodeAndDecodeAsync(int encoding, EncodeSettings settings, ImageRgb frame, List<(int X, int Y, int W, int H)> rects)
    {
        using IRectangleEncoder encoder = EncoderCatalog.Create(encoding);
        var translator = new PixelTranslator(NoVncDecoder.PixelFormat);
        var output = new ArrayBufferWriter<byte>();
        var view = new PixelView(frame.Pixels, frame.Width, frame.Width, frame.Height);
        int count = 0;
        foreach (var (x, y, w, h) in rects)
        {
            count += encoder.Encode(view.Slice(x, y, w, h), x, y, translator, settings, output);
        }

        return await NoVncDecoder.DecodeAsync(frame.Width, frame.Height, output.WrittenMemory, count, Timeout);
    }

    private static (ImageRgb Frame, List<(int X, int Y, int W, int H)> Rects) Content(string name)
    {
        const int W = 2100, H = 70;
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7FFF);
        switch (name)
        {
            case "solid":
                return (ImageRgb.Solid(300, 200, 0x336699), [(0, 0, 300, 200)]);
            case "text":
                // Two colours in glyph-like strokes.
                return (ImageRgb.Create(333, 120, (x, y) => ((x / 3) % 7 == 0 || (y % 16 < 2 && x % 11 < 8)) ? 0xF0F0F0u : 0x101820u), [(0, 0, 333, 120)]);
            case "gradient":
                return (ImageRgb.Create(256, 160, (x, y) => (uint)((x << 16) | ((y * 255 / 159) << 8) | ((x + y) & 0xFF))), [(0, 0, 256, 160)]);
            case "noise":
                {
                    var img = ImageRgb.Create(320, 240, (_, _) => 0);
                    for (int i = 0; i < img.Pixels.Length; i++)
                    {
                        int x = i % 320, y = i / 320;
                        // Photographic-like: smooth base plus sensor-like noise of a few levels.
                        int r = Math.Clamp((x * 255 / 320) + random.Next(-6, 7), 0, 255);
                        int g = Math.Clamp((y * 255 / 240) + random.Next(-6, 7), 0, 255);
                        int b = Math.Clamp(128 + (int)(60 * Math.Sin((x + y) / 15.0)) + random.Next(-6, 7), 0, 255);
                        img.Pixels[i] = (uint)((r << 16) | (g << 8) | b);
                    }

                    return (img, [(0, 0, 320, 240)]);
                }

            case "edges":
                {
                    var img = ImageRgb.Create(131, 67, (x, y) => (uint)random.Next(0x1000000));
                    return (img, [(0, 0, 1, 1), (130, 66, 1, 1), (130, 0, 1, 67), (0, 66, 131, 1), (1, 0, 129, 66), (0, 1, 1, 65)]);
                }

            case "wide":
                // Wider than Tight's 2048-pixel limit, with a solid band and a noisy band.
                return (ImageRgb.Create(W, H, (x, y) => y < 30 ? 0x00FF00u : (uint)((x * 7 + y * 13) & 0xFFFFFF)), [(0, 0, W, H)]);
            case "trace":
                {
                    string path = Path.Combine(AppContext.BaseDirectory, "TestData", "traces", "xterm_scroll_first30.fbs.zst");
                    using var reader = new FbsReader(path);
                    TraceFramebuffer? fb = null;
                    foreach (TraceEvent e in RecordedSessionDecoder.ReadEvents(reader))
                    {
                        if (e is TraceServerInit init)
                        {
                            fb = new TraceFramebuffer(init.Width, init.Height);
                        }
                        else if (e is TraceUpdate u)
                        {
                            fb!.Apply(u);
                        }
                    }

                    var img = ImageRgb.Create(fb!.Width, fb.Height, (x, y) => fb.GetPixel(x, y) & 0xFFFFFF);
                    var rects = new List<(int, int, int, int)>();
                    for (int y = 0; y < fb.Height; y += 64)
                    {
                        rects.Add((0, y, fb.Width, Math.Min(64, fb.Height - y)));
                    }

                    return (img, rects);
                }

            default:
                throw new ArgumentException(name);
        }
    }
}
