using Rfb.Encodings;
using Rfb.Encodings.Hextile;
using Rfb.Tests.Encodings.Zrle;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Hextile;

/// <summary>The Hextile encoder against gtk-vnc's gvnccapture and TigerVNC's viewer, pixel-exact.</summary>
public sealed class HextileRealClientTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GvncCapture_MixedContentOddRectangles_PixelExact()
    {
        ImageRgb frame = EncoderTestContent.Mixed(EncoderTestContent.Width, EncoderTestContent.Height, 4);
        await using var server = EncoderTestServer.Start(frame, EncoderTestContent.OddLayout, () => new HextileEncoder());

        ImageRgb captured = await GvncCapture.CaptureAsync(server.Port, s_timeout, cancellationToken: TestContext.Current.CancellationToken);

        ImageAssert.Equal(frame, captured, "gvnccapture over Hextile");
        Assert.Empty(server.Errors);
        Assert.True(server.RectanglesSent.GetValueOrDefault(EncodingType.Hextile) >= EncoderTestContent.OddLayout.Count);
    }

    [Fact]
    public Task TigerVncViewer_MixedContentThenIncrementalChanges_PixelExact()
        => ZrleRealClientTests.RunTigerVncViewerAsync("hextile", EncodingType.Hextile, () => new HextileEncoder(), []);
}
