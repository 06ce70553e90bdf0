using ConsoleBridge;

namespace Rfb.Tests.MultiHead;

public sealed class DesktopTests
{
    private static DisplayConsole Head(int width, int height)
    {
        var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.SwitchSurface(GuestSurface.FromMemory(new byte[width * height * 4], width, height, width * 4, DrmFourcc.Xrgb8888));
        return console;
    }

    [Fact]
    public void AddHead_Default_LaysOutLeftToRightWithIdsFromOne()
    {
        using DisplayConsole a = Head(100, 50), b = Head(40, 80);
        using var desktop = new Desktop();
        desktop.AddHead(a);
        desktop.AddHead(b);
        DesktopLayout layout = desktop.Layout;
        Assert.Equal(140, layout.Width);
        Assert.Equal(80, layout.Height);
        Assert.Equal([1, 2], layout.Heads.Select(h => h.ScreenId));
        Assert.Equal(new PixelRect(0, 0, 100, 50), layout.Heads[0].Bounds);
        Assert.Equal(new PixelRect(100, 0, 40, 80), layout.Heads[1].Bounds);
    }

    [Fact]
    public void UncoveredAreas_HeadsOfDifferentHeights_GivesTheBlackCorner()
    {
        using DisplayConsole a = Head(100, 50), b = Head(40, 80);
        using var desktop = new Desktop();
        desktop.AddHead(a);
        desktop.AddHead(b);
        var black = new List<PixelRect>();
        desktop.Layout.UncoveredAreas(black);
        Assert.Equal([new PixelRect(0, 50, 100, 30)], black);
    }

    [Fact]
    public void SwitchSurface_NewSize_MakesNewLayoutAndRaisesLayoutChanged()
    {
        using DisplayConsole a = Head(100, 50), b = Head(40, 80);
        using var desktop = new Desktop();
        desktop.AddHead(a);
        desktop.AddHead(b);
        long before = desktop.Layout.Generation;
        int raised = 0;
        desktop.LayoutChanged += (_, _) => raised++;

        a.SwitchSurface(GuestSurface.FromMemory(new byte[100 * 50 * 4], 100, 50, 400, DrmFourcc.Xrgb8888));
        Assert.Equal(0, raised);
        Assert.Equal(before, desktop.Layout.Generation);

        a.SwitchSurface(GuestSurface.FromMemory(new byte[60 * 90 * 4], 60, 90, 240, DrmFourcc.Xrgb8888));
        Assert.Equal(1, raised);
        Assert.True(desktop.Layout.Generation > before);
        Assert.Equal(new PixelRect(60, 0, 40, 80), desktop.Layout.Heads[1].Bounds);
        Assert.Equal((100, 90), (desktop.Layout.Width, desktop.Layout.Height));
    }

    [Fact]
    public void RemoveHead_ThenAdd_KeepsIdsStableAndReusesOnlyFreeOnes()
    {
        using DisplayConsole a = Head(10, 10), b = Head(10, 10), c = Head(10, 10);
        using var desktop = new Desktop();
        desktop.AddHead(a);
        DesktopHead hb = desktop.AddHead(b);
        Assert.True(desktop.RemoveHead(desktop.FindHead(1)!));
        Assert.Equal(2, hb.ScreenId);
        Assert.Equal(new PixelRect(0, 0, 10, 10), desktop.Layout.Heads[0].Bounds);
        DesktopHead hc = desktop.AddHead(c);
        Assert.Equal(1, hc.ScreenId);
        Assert.Equal([2, 1], desktop.Layout.Heads.Select(h => h.ScreenId));
        using DisplayConsole other = Head(1, 1);
        using var otherDesktop = new Desktop(other);
        Assert.False(desktop.RemoveHead(otherDesktop.Heads[0]));
    }

    [Fact]
    public void MoveHead_HostPosition_IsUsedAndOverlapIsReported()
    {
        using DisplayConsole a = Head(100, 50), b = Head(40, 80);
        using var desktop = new Desktop();
        DesktopHead ha = desktop.AddHead(a);
        DesktopHead hb = desktop.AddHead(b, new DesktopPosition(0, 50));
        Assert.Equal(new PixelRect(0, 50, 40, 80), desktop.Layout.Heads[1].Bounds);
        Assert.Equal((100, 130), (desktop.Layout.Width, desktop.Layout.Height));
        Assert.False(desktop.Layout.HasOverlap);
        desktop.MoveHead(hb, new DesktopPosition(10, 10));
        Assert.True(desktop.Layout.HasOverlap);
        Assert.Equal(hb, desktop.Layout.HeadAt(20, 20)!.Value.Head);
        Assert.Equal(ha, desktop.Layout.HeadAt(90, 5)!.Value.Head);
        Assert.Null(desktop.Layout.HeadAt(90, 60));
        Assert.Throws<ArgumentOutOfRangeException>(() => desktop.MoveHead(hb, new DesktopPosition(-1, 0)));
        Assert.Throws<ArgumentException>(() => desktop.AddHead(a));
    }
}
