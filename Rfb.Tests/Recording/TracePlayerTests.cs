using ConsoleBridge;
using Rfb.Recording;

namespace Rfb.Tests.Recording;

public sealed class TracePlayerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(TracePaths.XtermFirst30, 30)]
    [InlineData(TracePaths.PacedFirst40, 40)]
    public async Task PlayAsync_CommittedTraceAtMaxPace_ShadowEqualsFinalFrame(string name, int updates)
    {
        string path = TracePaths.TestData(name);
        IndependentTraceDecoder reference = IndependentTraceDecoder.Decode(path);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        var player = new TracePlayer(path);
        int played = 0;
        player.UpdatePlayed += (_, _) => played++;

        TracePlaybackResult result = await player.PlayAsync(console, TracePace.Max, TestContext.Current.CancellationToken).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        console.Refresh();

        Assert.Equal(updates, result.Updates);
        Assert.Equal(updates, player.UpdatesPlayed);
        Assert.Equal(updates, played);
        Assert.Equal((1280, 720), (console.Width, console.Height));
        using ShadowReadScope shadow = console.ReadShadow();
        Assert.Equal(reference.Frame.Length, shadow.Pixels.Length);
        for (int i = 0; i < reference.Frame.Length; i++)
        {
            // The shadow is canonical XRGB8888: the padding byte reads as zero.
            if (shadow.Pixels[i] != (reference.Frame[i] & 0x00FF_FFFF))
            {
                Assert.Fail($"Shadow pixel {i} is 0x{shadow.Pixels[i]:x8}; the trace's final frame has 0x{reference.Frame[i] & 0x00FF_FFFF:x8}.");
            }
        }

        CommittedTraceTests.AssertFramesEqual(reference.Frame, player.Framebuffer!.Pixels, mask: 0xFFFF_FFFF);
    }

    [Fact]
    public async Task PlayAsync_GoldenSessionWithDesktopSize_SwitchesSurfaceAndShowsFinalFrame()
    {
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        var sizes = new List<(int, int)>();
        console.SurfaceChanged += (_, _) => sizes.Add((console.Width, console.Height));
        var player = new TracePlayer(() => new FbsReader(new MemoryStream(GoldenSession.Fbs())));

        TracePlaybackResult result = await player.PlayAsync(console, TracePace.Max, TestContext.Current.CancellationToken).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        console.Refresh();

        Assert.Equal(3, result.Updates);
        Assert.Equal(4, result.Operations); // Raw, Copy; DesktopSize, Raw; nothing
        Assert.Equal([(4, 3), (6, 5)], sizes);
        using ShadowReadScope shadow = console.ReadShadow();
        var expected = new uint[30];
        expected[29] = 0x00030201; // the 1x1 Raw at (5,4) after DesktopSize 6x5 (typed in GoldenSession)
        Assert.Equal(expected, shadow.Pixels.ToArray());
    }

    [Fact]
    public async Task PlayAsync_GoldenSessionFirstUpdate_CopyReachesConsoleAsBlit()
    {
        // Only the first update (Raw 2x2 then CopyRect 2x1 from (1,1) to (0,0)).
        var file = new MemoryStream();
        using (var writer = new FbsWriter(file, compress: false, leaveOpen: true))
        {
            writer.WriteBlock(GoldenSession.Stream.AsSpan(0, 104), 0);
        }

        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        var player = new TracePlayer(() => new FbsReader(new MemoryStream(file.ToArray())));
        await player.PlayAsync(console, TracePace.Max, TestContext.Current.CancellationToken).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        console.Refresh();

        using ShadowReadScope shadow = console.ReadShadow();
        uint[] expected =
        [
            0x00332211, 0x00665544, 0, 0,
            0, 0x00332211, 0x00665544, 0,
            0, 0x00998877, 0x00CCBBAA, 0,
        ];
        Assert.Equal(expected, shadow.Pixels.ToArray());
        ConsoleCopy copy = Assert.Single(shadow.RecentCopies);
        Assert.Equal(new PixelRect(1, 1, 2, 1), copy.Source);
        Assert.Equal(new PixelRect(0, 0, 2, 1), copy.Destination);
    }

    [Fact]
    public async Task PlayAsync_RecordedPace_WaitsForEachUpdatesRecordedOffset()
    {
        // The golden updates end in blocks stamped 20, 40 and 40 ms: the first is shown at once,
        // the second 20 ms later, the third with no further wait.
        var clock = new SteppingTimeProvider();
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        var player = new TracePlayer(() => new FbsReader(new MemoryStream(GoldenSession.Fbs())), clock);

        TracePlaybackResult result = await player.PlayAsync(console, TracePace.Recorded, TestContext.Current.CancellationToken).WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        Assert.Equal([TimeSpan.FromMilliseconds(20)], clock.Delays.ToArray());
        Assert.Equal(TimeSpan.FromMilliseconds(20), result.RecordedDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(20), result.Elapsed);
        Assert.Equal(3, result.Updates);
    }

    [Fact]
    public async Task PlayAsync_MaxPace_NeverWaits()
    {
        var clock = new SteppingTimeProvider();
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        var player = new TracePlayer(() => new FbsReader(new MemoryStream(GoldenSession.Fbs())), clock);

        await player.PlayAsync(console, TracePace.Max, TestContext.Current.CancellationToken).WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        Assert.Empty(clock.Delays);
    }

    [Fact]
    public async Task PlayAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        var player = new TracePlayer(() => new FbsReader(new MemoryStream(GoldenSession.Fbs())));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => player.PlayAsync(console, TracePace.Max, cancelled.Token).WaitAsync(s_timeout, TestContext.Current.CancellationToken));
        Assert.Equal(0, player.UpdatesPlayed);
    }
}
