namespace Rfb.Tests.Protocol;

/// <summary>
/// A session plans an update under the head's read lock and encodes it under another; a guest
/// blit (a scroll) that lands in between must not end up applied twice on the client.
/// </summary>
public sealed class BlitDuringUpdateTests
{
    [Fact]
    public async Task Update_ScrollBetweenPlanAndEncode_ClientEndsEqualToTheGuest()
    {
        await using var session = new MirrorSession(256);
        bool armed = false;
        var options = new RfbServerOptions
        {
            AfterUpdatePlannedForTests = () =>
            {
                if (armed)
                {
                    // The guest scrolls everything up by 16 rows after the session planned the
                    // update (the small square) and before it reads the pixels.
                    armed = false;
                    session.Scroll(16, 0, 256 - 16);
                }
            },
        };
        await session.StartAsync(options);
        session.AssertMirrorIsGuest("first update");

        // A small square changes; the scroll comes while its update is being built.
        var square = new byte[20 * 20 * 4];
        square.AsSpan().Fill(0x7F);
        session.Guest.WriteRaw(100, 100, 20, 20, square);
        session.Console.Invalidate(100, 100, 20, 20);
        session.Console.Refresh();
        armed = true;
        await session.UpdateAsync();
        Assert.False(armed, "the blit was not made between plan and encode");

        // The next update brings the client level with the guest.
        await session.UpdateAsync();
        session.AssertMirrorIsGuest("after the update that followed the scroll");
    }
}
