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
}
