namespace Rfb.Tests.Protocol;

/// <summary>
/// Several refreshes and blits reach one update (a client a frame behind): the pixels a refresh
/// drew and a blit then moved must be sent where they ended up, and nothing more.
/// </summary>
public sealed class CoalescedBlitTests
{
    [Fact]
    public async Task Update_DotDrawnThenScrolledTwice_SendsTheDotAndCopyRectsOnly()
    {
        await using var session = new MirrorSession(256);
        await session.StartAsync(new RfbServerOptions());

        // A dot in the second band of tiles, refreshed on its own; then that band scrolls up
        // into the first, and the third band into the second (so every tile of the first
        // blit's source is changed again, by the second blit, before the client asks).
        session.Guest.WriteRaw(10, 70, 1, 1, [0x11, 0x22, 0x33, 0x00]);
        session.Console.Invalidate(10, 70, 1, 1);
        session.Console.Refresh();
        session.Scroll(64, 0, 64);
        session.Scroll(128, 64, 64);

        (int copies, int pixels) = await session.UpdateAsync();
        session.AssertMirrorIsGuest("after the update");
        Assert.Equal(2, copies);
        // Only the dot, now at (10, 6), goes as pixels; a whole tile or band would be 4096 or more.
        Assert.True(pixels <= 1, $"{pixels} pixels were sent besides the two CopyRects");
    }
    [Fact]
    public async Task Update_TwoFramesOfTerminalScroll_SendsTheTwoNewLinesOnly()
    {
        await using var session = new MirrorSession(256);
        await session.StartAsync(new RfbServerOptions());

        // Two frames of a terminal that scrolls by one 13-row line and draws a new line at the
        // bottom, each frame refreshed; the client asks only after both. The blits cover the
        // bottom band of tiles in part, after a refresh changed it.
        var random = new Random(7);
        for (int frame = 0; frame < 2; frame++)
        {
            session.Scroll(13, 0, 243);
            var line = new byte[256 * 13 * 4];
            random.NextBytes(line);
            session.Guest.WriteRaw(0, 243, 256, 13, line);
            session.Console.Invalidate(0, 243, 256, 13);
            session.Console.Refresh();
        }

        (int copies, int pixels) = await session.UpdateAsync();
        session.AssertMirrorIsGuest("after the update");
        Assert.Equal(2, copies);
        // The first frame's line, moved up to rows 230..243, and the second's at 243..256; the
        // bottom band of tiles whole would be 16384 pixels.
        Assert.True(pixels <= 256 * 26, $"{pixels} pixels were sent besides the two CopyRects (the two lines are {256 * 26})");
    }
}
