using System.Drawing;

namespace Rfb.Tests.EndToEnd.Tools;

public sealed class XvfbDisplayTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartAsync_TwoScreensWithXinerama_ShowsTwoMonitorsAtOrigin()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var display = await XvfbDisplay.StartAsync([new Size(320, 200), new Size(640, 480)], xinerama: true, s_timeout, cancel);

        var monitors = await display.GetMonitorsAsync(s_timeout, cancel);

        Assert.Equal([new Rectangle(0, 0, 320, 200), new Rectangle(0, 0, 640, 480)], monitors);
        var root = await display.CaptureWindowAsync("root", s_timeout, cancel);
        Assert.Equal((640, 480), (root.Width, root.Height));
    }

    [Fact]
    public async Task StartAsync_TwoDisplaysAtOnce_GetDifferentNumbersAndDisposeRemovesSocket()
    {
        var cancel = TestContext.Current.CancellationToken;
        var first = await XvfbDisplay.StartAsync(64, 48, s_timeout, cancel);
        int firstNumber;
        await using (first)
        {
            await using var second = await XvfbDisplay.StartAsync(64, 48, s_timeout, cancel);
            firstNumber = first.Number;
            Assert.NotEqual(first.Number, second.Number);
            Assert.True(File.Exists($"/tmp/.X11-unix/X{first.Number}"));
        }

        Assert.False(File.Exists($"/tmp/.X11-unix/X{firstNumber}"), "Xvfb left its socket behind after dispose");
    }
}
