using Rfb.Recording;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.EndToEnd;

/// <summary>
/// The demo emulator, run as its own process with <c>--trace</c>, replays a recorded trace; once it
/// has played, real clients must show exactly the trace's final frame, decoded here on its own
/// (straight from the FBS file into a framebuffer, without console, server or session).
/// </summary>
public sealed class TraceReplayTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string> CommittedTraces => new()
    {
        "xterm_scroll_first30.fbs.zst",
        "xterm_scroll_paced_first40.fbs.zst", // CopyRect scrolling
    };

    [Theory]
    [MemberData(nameof(CommittedTraces))]
    public async Task DemoTrace_CommittedTrace_GvncCaptureAndTigerVncShowFinalFrame(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "traces", name);
        await AssertClientsShowFinalFrameAsync(path);
    }

    [Fact]
    public async Task DemoTrace_SharedXtermScroll_GvncCaptureAndTigerVncShowFinalFrame()
    {
        string? path = FindSharedTrace("xterm_scroll.fbs.zst");
        if (path is null)
        {
            Assert.Skip("The full trace shared/traces/xterm_scroll.fbs.zst is not present beside the checkout.");
        }

        await AssertClientsShowFinalFrameAsync(path);
    }

    private static async Task AssertClientsShowFinalFrameAsync(string tracePath)
    {
        ImageRgb expected = DecodeFinalFrame(tracePath);
        int port = VncPorts.FindFreePort();
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        await using BackgroundProcess demo = BackgroundProcess.Start(
            dotnet,
            [Path.Combine(AppContext.BaseDirectory, "DemoEmulator.dll"), "--trace", tracePath, "--vnc", $"127.0.0.1:{port}"]);
        using (var cts = new CancellationTokenSource(Timeout))
        {
            while (!demo.Output.Contains("Trace finished", StringComparison.Ordinal))
            {
                Assert.False(demo.HasExited, demo.Describe());
                Assert.False(cts.IsCancellationRequested, "The trace did not finish in time: " + demo.Describe());
                await Task.Delay(100);
            }
        }

        ImageAssert.Equal(expected, await GvncCapture.CaptureAsync(port, Timeout), "gvnccapture: " + Path.GetFileName(tracePath));

        await using XvfbDisplay display = await XvfbDisplay.StartAsync(expected.Width + 64, expected.Height + 64, Timeout);
        await using TigerVncViewer viewer = await TigerVncViewer.StartAsync(display, port, ["-PreferredEncoding", "raw", "-AutoSelect=0", "-FullColor", "-Shared"]);
        ImageAssert.Equal(expected, await viewer.WaitForFrameAsync(expected, Timeout), "TigerVNC viewer (32 bpp): " + Path.GetFileName(tracePath));
    }

    private static ImageRgb DecodeFinalFrame(string tracePath)
    {
        using var reader = new FbsReader(tracePath);
        TraceFramebuffer? framebuffer = null;
        foreach (TraceEvent e in RecordedSessionDecoder.ReadEvents(reader))
        {
            switch (e)
            {
                case TraceServerInit init:
                    framebuffer = new TraceFramebuffer(init.Width, init.Height);
                    break;
                case TraceUpdate update:
                    framebuffer!.Apply(update);
                    break;
            }
        }

        Assert.NotNull(framebuffer);
        var image = new ImageRgb(framebuffer.Width, framebuffer.Height);
        for (int y = 0; y < framebuffer.Height; y++)
        {
            for (int x = 0; x < framebuffer.Width; x++)
            {
                image.Pixels[y * framebuffer.Width + x] = framebuffer.GetPixel(x, y) & 0x00FFFFFF;
            }
        }

        return image;
    }

    private static string? FindSharedTrace(string name)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "traces", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
