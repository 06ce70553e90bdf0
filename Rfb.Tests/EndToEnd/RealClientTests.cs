using Rfb.Security;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.EndToEnd;

/// <summary>Our server against real clients: gtk-vnc's gvnccapture and TigerVNC's viewer under Xvfb.</summary>
public sealed class RealClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Short, so the test does not wait long; a failure shows what the JPEG left.</summary>
    private static readonly TimeSpan LosslessDelay = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task GvncCapture_Pattern_PixelExact()
    {
        await using ServedConsole served = await ServedConsole.StartAsync(317, 203);
        ImageRgb expected = served.DrawPattern(1);
        ImageAssert.Equal(expected, await GvncCapture.CaptureAsync(served.Port, Timeout), "gvnccapture");
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("zrle")] // the server answers with what it has (Raw) whatever the preference
    public async Task TigerVncViewer_FullColour_PixelExactAndFollowsDamage(string preferred)
    {
        await using ServedConsole served = await ServedConsole.StartAsync(320, 240);
        ImageRgb expected = served.DrawPattern(2);
        await using XvfbDisplay display = await XvfbDisplay.StartAsync(480, 360, Timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, served.Port, ["-PreferredEncoding", preferred, "-AutoSelect=0", "-FullColor", "-Shared"]);
        ImageAssert.Equal(expected, await viewer.WaitForFrameAsync(expected, Timeout), "first frame");

        // Partial damage reaches the viewer.
        served.Fill(expected, 100, 70, 90, 33, 0x00FF8800);
        served.Fill(expected, 0, 230, 320, 10, 0x00123456);
        ImageAssert.Equal(expected, await viewer.WaitForFrameAsync(expected, Timeout), "after damage");
    }

    [Theory]
    [InlineData("tight")]
    [InlineData("zrle")]
    [InlineData("hextile")]
    public async Task TigerVncViewer_EachEncoding_PixelExact(string encoding)
    {
        await using ServedConsole served = await ServedConsole.StartAsync(300, 180);
        ImageRgb expected = served.DrawPattern(5);
        await using XvfbDisplay display = await XvfbDisplay.StartAsync(400, 260, Timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, served.Port, ["-PreferredEncoding", encoding, "-AutoSelect=0", "-FullColor", "-NoJPEG"]);
        ImageAssert.Equal(expected, await viewer.WaitForFrameAsync(expected, Timeout), encoding);
        served.Fill(expected, 10, 10, 200, 100, 0x00203040);
        ImageAssert.Equal(expected, await viewer.WaitForFrameAsync(expected, Timeout), encoding + " after damage");
    }

    [Fact]
    public async Task TigerVncViewer_TightJpegQuality8_LosslessRefreshEndsPixelExact()
    {
        await using ServedConsole served = await ServedConsole.StartAsync(320, 240, o => o.LosslessRefreshDelay = LosslessDelay);
        ImageRgb expected = served.DrawPhoto(6);
        await using XvfbDisplay display = await XvfbDisplay.StartAsync(400, 300, Timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, served.Port, ["-PreferredEncoding", "tight", "-AutoSelect=0", "-FullColor", "-QualityLevel=8"]);
        ImageAssert.Equal(expected, await viewer.WaitForFrameAsync(expected, Timeout), "after lossless refresh");
    }

    [Fact]
    public async Task TigerVncViewer_VncPasswordFile_AuthenticatesAndShowsFrame()
    {
        await using ServedConsole served = await ServedConsole.StartAsync(160, 120, o => o.Password = new VncPassword("s3cr3t!"));
        ImageRgb expected = served.DrawPattern(3);
        // TigerVNC's password file: the password, zero-padded to 8 bytes, DES-encrypted under vncpasswd's fixed key.
        string passwordFile = Path.Combine(Directory.CreateTempSubdirectory("vncpasswd-").FullName, "passwd");
        byte[] padded = new byte[8];
        "s3cr3t!"u8.CopyTo(padded);
        byte[] obfuscated = new byte[8];
        Des.EncryptEcb([0xE8, 0x4A, 0xD6, 0x60, 0xC4, 0x72, 0x1A, 0xE0], padded, obfuscated);
        await File.WriteAllBytesAsync(passwordFile, obfuscated);
        await using XvfbDisplay display = await XvfbDisplay.StartAsync(320, 240, Timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, served.Port, ["-PasswordFile", passwordFile, "-PreferredEncoding", "raw", "-AutoSelect=0", "-FullColor"]);
        ImageAssert.Equal(expected, await viewer.WaitForFrameAsync(expected, Timeout), "after VNC authentication");
    }

    [Fact]
    public async Task TigerVncViewer_TypedKeys_ReachHostWithXtScancodes()
    {
        await using ServedConsole served = await ServedConsole.StartAsync(200, 150);
        ImageRgb expected = served.DrawPattern(4);
        await using XvfbDisplay display = await XvfbDisplay.StartAsync(300, 200, Timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, served.Port, ["-PreferredEncoding", "raw", "-AutoSelect=0", "-FullColor"]);
        ImageAssert.Equal(expected, await viewer.WaitForFrameAsync(expected, Timeout), "first frame");
        ViewerWindow window = await viewer.WaitForWindowAsync(Timeout);
        string xdotool = RequiredTool.Locate("xdotool", "xdotool");
        await display.RunClientCheckedAsync(xdotool, ["mousemove", "--window", window.Id, "50", "40", "click", "1"], Timeout);
        await display.RunClientCheckedAsync(xdotool, ["windowfocus", "--sync", window.Id, "key", "--delay", "50", "a", "Control_R"], Timeout);

        using var cts = new CancellationTokenSource(Timeout);
        string[] events;
        do
        {
            await Task.Delay(50);
            events = served.Host.Events.ToArray();
        }
        while (!events.Contains("key ffe4 e01d up") && !cts.IsCancellationRequested);

        Assert.True(events.Contains("key ffe4 e01d up"), "events: " + string.Join("; ", events));
        // XT scancodes: 'a' is 0x1E; Right Ctrl is E0 1D (sent on the wire as 0x9D).
        Assert.Contains("key 61 1e down", events);
        Assert.Contains("key 61 1e up", events);
        Assert.Contains("key ffe4 e01d down", events);
        Assert.Contains("pointer 50,40 1", events);
        Assert.Contains("pointer 50,40 0", events);
    }
}
