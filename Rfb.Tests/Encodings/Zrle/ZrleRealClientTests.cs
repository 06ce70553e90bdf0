using Rfb.Encodings;
using Rfb.Encodings.Zrle;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Zrle;

/// <summary>The ZRLE encoder against gtk-vnc's gvnccapture and TigerVNC's viewer, pixel-exact.</summary>
public sealed class ZrleRealClientTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GvncCapture_MixedContentOddRectangles_PixelExact()
    {
        ImageRgb frame = EncoderTestContent.Mixed(EncoderTestContent.Width, EncoderTestContent.Height, 1);
        await using var server = EncoderTestServer.Start(frame, EncoderTestContent.OddLayout, () => new ZrleEncoder());

        ImageRgb captured = await GvncCapture.CaptureAsync(server.Port, s_timeout, cancellationToken: TestContext.Current.CancellationToken);

        ImageAssert.Equal(frame, captured, "gvnccapture over ZRLE");
        Assert.Empty(server.Errors);
        Assert.True(server.RectanglesSent.GetValueOrDefault(EncodingType.Zrle) >= EncoderTestContent.OddLayout.Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(9)]
    public async Task TigerVncViewer_MixedContentThenIncrementalChanges_PixelExact(int compressLevel)
    {
        var levels = new List<int>();
        await RunTigerVncViewerAsync("zrle", EncodingType.Zrle, () => new ZrleEncoder(), ["-CustomCompressLevel=1", "-CompressLevel", compressLevel.ToString(System.Globalization.CultureInfo.InvariantCulture)], levels);
        Assert.Equal(compressLevel, Assert.Single(levels));
    }

    /// <summary>
    /// Serves the mixed picture in the odd layout, waits for the viewer to show it, then changes
    /// three areas (the zlib stream, where there is one, continues) and waits for those.
    /// </summary>
    internal static async Task RunTigerVncViewerAsync(string preferred, int encoding, Func<IRectangleEncoder> createEncoder, string[] extraOptions, List<int>? compressLevels = null)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        ImageRgb first = EncoderTestContent.Mixed(EncoderTestContent.Width, EncoderTestContent.Height, 1);
        ImageRgb second = EncoderTestContent.With(first, EncoderTestContent.Mixed(first.Width, first.Height, 2), EncoderTestContent.SecondFrameChanges);
        await using var server = EncoderTestServer.Start(first, EncoderTestContent.OddLayout, createEncoder);
        await using XvfbDisplay display = await XvfbDisplay.StartAsync(first.Width + 100, first.Height + 100, s_timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, server.Port, ["-PreferredEncoding", preferred, "-AutoSelect=0", "-FullColor", .. extraOptions], ct);

        ImageAssert.Equal(first, await viewer.WaitForFrameAsync(first, s_timeout, ct), $"TigerVNC viewer over {preferred}, first frame");
        server.Update(second, EncoderTestContent.SecondFrameChanges);
        ImageAssert.Equal(second, await viewer.WaitForFrameAsync(second, s_timeout, ct), $"TigerVNC viewer over {preferred}, after changes");

        Assert.Empty(server.Errors);
        compressLevels?.AddRange(server.CompressLevels);
        Assert.Equal(encoding, Array.Find(server.ClientEncodings, e => e is >= 0 and < 256)); // the first real (not pseudo) encoding is the preferred one
        Assert.Equal(32, server.ClientFormat.BitsPerPixel);
        Assert.Equal(EncoderTestContent.OddLayout.Count + EncoderTestContent.SecondFrameChanges.Count, server.RectanglesSent.GetValueOrDefault(encoding));
    }
}
