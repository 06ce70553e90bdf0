using System.Diagnostics;
using Rfb.Encodings;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>
/// The Tight encoder against real decoders: TigerVNC's viewer (lossless pixel-exact, and with
/// JPEG) and vncsnapshot (TightVNC's Tight decoder, with JPEG), through <see cref="TightTestServer"/>.
/// </summary>
public sealed class TightRealClientTests
{
    private const int Width = 300;
    private const int Height = 200;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A frame with every kind of Tight content: a plain background (fills), text-like glyphs with
    /// grey anti-aliasing (indexed), two-colour stripes (mono), a smooth ramp (gradient filter)
    /// and a photograph-like noisy field (full colour or JPEG).
    /// </summary>
    internal static uint[] MixedFrame()
    {
        var pixels = new uint[Width * Height];
        pixels.AsSpan().Fill(0x00203040);
        uint[] photo = ImageQuality.PhotoLike(150, 110, 21);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                ref uint p = ref pixels[(y * Width) + x];
                if (x >= 10 && x < 150 && y >= 10 && y < 90)
                {
                    // Glyph cells 7 x 11 with strokes and a grey edge.
                    int cx = (x - 10) % 7;
                    int cy = (y - 10) % 11;
                    int glyph = ((x - 10) / 7) + (((y - 10) / 11) * 20);
                    bool stroke = (cx == 1 + (glyph % 4) || cy == 2 + (glyph % 6)) && cx < 6 && cy < 9;
                    bool edge = (cx == 2 + (glyph % 4)) && cy < 9;
                    p = stroke ? 0x00000000 : edge ? 0x00888888 + (uint)(glyph % 3 * 0x111111) : 0x00FFFFFF;
                }
                else if (x >= 150 && y >= 90)
                {
                    p = photo[((y - 90) * 150) + (x - 150)];
                }
                else if (x < 100 && y >= 120)
                {
                    p = ((x / 3) + (y / 5)) % 2 == 0 ? 0x00FF0000u : 0x0000FF00u;
                }
                else if (x >= 160 && y < 80)
                {
                    p = (uint)(((x - 160) << 16) | ((y * 3) << 8) | 0x40);
                }
            }
        }

        return pixels;
    }

    [Fact]
    public async Task TigerVncViewer_TightLossless_PixelExact()
    {
        uint[] frame = MixedFrame();
        await using var server = TightTestServer.Start(VncPorts.FindFreePort(), frame, Width, Height);
        await using XvfbDisplay display = await XvfbDisplay.StartAsync(Width + 100, Height + 100, Timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, server.Port, ["-PreferredEncoding", "tight", "-AutoSelect=0", "-FullColor", "-NoJPEG"]);

        var expected = new ImageRgb(Width, Height, frame);
        ImageRgb seen = await viewer.WaitForFrameAsync(expected, Timeout);
        Assert.Null(server.Failure);
        ImageAssert.Equal(expected, seen, "TigerVNC's viewer, Tight without JPEG");
        Assert.Equal(EncodingType.Tight, server.LastEncoding);
        Assert.False(server.LastSettings.AllowsLossy);
        Assert.Equal(0, server.JpegRectanglesSent);
    }

    [Fact]
    public async Task TigerVncViewer_TightQuality8_JpegAbove35Db()
    {
        TurboJpegRequirement.Ensure();
        uint[] frame = MixedFrame();
        await using var server = TightTestServer.Start(VncPorts.FindFreePort(), frame, Width, Height);
        await using XvfbDisplay display = await XvfbDisplay.StartAsync(Width + 100, Height + 100, Timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, server.Port, ["-PreferredEncoding", "tight", "-AutoSelect=0", "-FullColor", "-QualityLevel=8"]);

        double psnr = 0;
        await viewer.WaitForFrameAsync(
            shot =>
            {
                if (shot.Width < Width || shot.Height < Height)
                {
                    return false;
                }

                psnr = ImageQuality.Psnr(frame, shot.Crop(0, 0, Width, Height).Pixels);
                return psnr >= 35;
            },
            Timeout);

        Assert.Null(server.Failure);
        Assert.True(psnr >= 35, $"PSNR {psnr:F1} dB");
        Assert.Equal(8, server.LastSettings.QualityLevel);
        Assert.True(server.JpegRectanglesSent > 0, "no JPEG rectangle was sent");
        Assert.True(server.JpegRectanglesSent < server.RectanglesSent, "text and flat areas should stay lossless");
    }

    [Fact]
    public async Task VncSnapshot_TightWithJpeg_Above35Db()
    {
        TurboJpegRequirement.Ensure();
        string vncsnapshot = RequiredTool.Locate("vncsnapshot", "vncsnapshot");
        uint[] frame = MixedFrame();
        await using var server = TightTestServer.Start(VncPorts.FindFreePort(), frame, Width, Height);
        string directory = Directory.CreateTempSubdirectory("vncsnapshot-").FullName;
        try
        {
            string path = Path.Combine(directory, "snapshot.jpg");
            string display = "127.0.0.1:" + VncPorts.DisplayNumberOf(server.Port);
            using var process = Process.Start(new ProcessStartInfo(vncsnapshot, ["-encodings", "tight", "-vncQuality", "8", "-quality", "100", display, path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            })!;
            using var cts = new CancellationTokenSource(Timeout);
            Task<string> output = process.StandardOutput.ReadToEndAsync(cts.Token);
            Task<string> errors = process.StandardError.ReadToEndAsync(cts.Token);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }

            string log = await output + await errors;
            Assert.True(process.ExitCode == 0 && File.Exists(path), $"vncsnapshot exited {process.ExitCode}: {log}");
            Assert.Null(server.Failure);

            uint[] snapshot = TurboJpegDecoder.Decode(await File.ReadAllBytesAsync(path, cts.Token), out int w, out int h);
            Assert.Equal((Width, Height), (w, h));
            double psnr = ImageQuality.Psnr(frame, snapshot);
            Assert.True(psnr >= 35, $"PSNR {psnr:F1} dB");
            Assert.Equal(EncodingType.Tight, server.LastEncoding);
            Assert.Equal(8, server.LastSettings.QualityLevel);
            Assert.True(server.JpegRectanglesSent > 0, "no JPEG rectangle was sent");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
