using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

public sealed class DisplayConsoleConcurrencyTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void ReadShadow_WhileHeld_BlocksRefreshUntilDisposed()
    {
        var surface = new TestSurface(200, 150);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        uint before = surface.Expected()[5 * 200 + 5];
        surface.Touch(5, 5);
        uint after = surface.Expected()[5 * 200 + 5];
        console.Invalidate(0, 0, 200, 150);

        using var refreshed = new ManualResetEventSlim();
        bool changed = false;
        var refresher = new Thread(() =>
        {
            changed = console.Refresh();
            refreshed.Set();
        })
        { IsBackground = true };

        ShadowReadScope scope = console.ReadShadow();
        try
        {
            refresher.Start();
            // Wait until the refresher is parked on the lock (or, wrongly, finished).
            var deadline = DateTime.UtcNow + s_bound;
            while (!refreshed.IsSet && (refresher.ThreadState & ThreadState.WaitSleepJoin) == 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }

            Assert.False(refreshed.Wait(200, TestContext.Current.CancellationToken), "the refresh ran while a reader held the shadow");
            Assert.Equal(before, scope.Pixels[5 * 200 + 5]);
        }
        finally
        {
            scope.Dispose();
        }

        Assert.True(refreshed.Wait(s_bound, TestContext.Current.CancellationToken), "the refresh did not run after the reader let go");
        Assert.True(changed);
        Assert.Equal(after, ReferencePixels.Shadow(console)[5 * 200 + 5]);
    }

    [Fact]
    public async Task ReadShadow_ConcurrentRefreshes_NeverShowAHalfWrittenFrame()
    {
        // The writer paints the whole surface one colour at a time and refreshes; a reader that
        // sees two colours at once has seen a half-copied shadow.
        var surface = new TestSurface(200, 150);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        PaintUniform(surface, 0);
        console.Invalidate(0, 0, 200, 150);
        console.Refresh();

        using var stop = new CancellationTokenSource();
        Task<int> reader = Task.Factory.StartNew(() => ReadUntilStopped(console, stop.Token), TaskCreationOptions.LongRunning);
        Task writer = Task.Factory.StartNew(
            () =>
            {
                for (uint colour = 1; colour <= 300; colour++)
                {
                    PaintUniform(surface, colour * 0x010305u);
                    console.Invalidate(0, 0, 200, 150);
                    Assert.True(console.Refresh());
                }
            },
            TaskCreationOptions.LongRunning);

        try
        {
            await writer.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        }
        finally
        {
            stop.Cancel();
        }

        int torn = await reader.WaitAsync(s_bound, TestContext.Current.CancellationToken);
        Assert.Equal(0, torn);
    }

    [Fact]
    public async Task AutoRefresh_ReaderWaitingThenInvalidate_UpdatesBeforeTheTick()
    {
        var surface = new TestSurface(200, 150);
        using DisplayConsole console = SlowAutoConsole();
        console.SwitchSurface(surface.Surface);
        TaskCompletionSource updated = ObserveUpdated(console);

        console.RequestRefresh();
        surface.Touch(100, 100);
        console.Invalidate(100, 100, 1, 1);

        await updated.Task.WaitAsync(s_bound, TestContext.Current.CancellationToken);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public async Task AutoRefresh_DamagePendingThenReaderWaits_UpdatesAtOnceButNotBefore()
    {
        var surface = new TestSurface(200, 150);
        using DisplayConsole console = SlowAutoConsole();
        console.SwitchSurface(surface.Surface);
        TaskCompletionSource updated = ObserveUpdated(console);

        surface.Touch(100, 100);
        console.Invalidate(100, 100, 1, 1);
        // Nobody waits, so the change waits for the (30 s) tick.
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.False(updated.Task.IsCompleted, "refreshed before the tick with no reader waiting");

        console.RequestRefresh();
        await updated.Task.WaitAsync(s_bound, TestContext.Current.CancellationToken);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public async Task AutoRefresh_ReaderStillWaitingAfterRefreshFoundNoChange_NextChangeUpdatesAtOnce()
    {
        var surface = new TestSurface(200, 150);
        using DisplayConsole console = SlowAutoConsole();
        console.SwitchSurface(surface.Surface);
        TaskCompletionSource updated = ObserveUpdated(console);

        // A reader waits; the guest invalidates without changing anything. The refresh this
        // wakes finds nothing, raises no Updated, so the reader is still waiting.
        console.RequestRefresh();
        console.Invalidate(0, 0, 200, 150);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.False(updated.Task.IsCompleted);

        surface.Touch(100, 100);
        console.Invalidate(100, 100, 1, 1);
        await updated.Task.WaitAsync(s_bound, TestContext.Current.CancellationToken);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public async Task AutoRefresh_ReaderWaitingAndCopyDegradesToDamage_UpdatesAtOnce()
    {
        var surface = new TestSurface(200, 150);
        using DisplayConsole console = SlowAutoConsole();
        console.SwitchSurface(surface.Surface);
        TaskCompletionSource updated = ObserveUpdated(console);

        console.RequestRefresh();
        surface.Touch(10, 10);
        console.CopyRect(190, 0, 0, 0, 20, 20); // source off the right edge: plain damage of the destination

        await updated.Task.WaitAsync(s_bound, TestContext.Current.CancellationToken);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public async Task AutoRefresh_ShortInterval_PicksUpDamageWithoutAReader()
    {
        var surface = new TestSurface(200, 150);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions
        {
            MinRefreshInterval = TimeSpan.FromMilliseconds(5),
            MaxRefreshInterval = TimeSpan.FromMilliseconds(40),
        });
        console.SwitchSurface(surface.Surface);

        // Let the interval grow to its maximum while idle, then draw.
        await Task.Delay(300, TestContext.Current.CancellationToken);
        TaskCompletionSource updated = ObserveUpdated(console);
        surface.Touch(150, 20);
        console.Invalidate(150, 20, 1, 1);

        await updated.Task.WaitAsync(s_bound, TestContext.Current.CancellationToken);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public async Task Dispose_AutoRefreshWithLongInterval_StopsPromptly()
    {
        DisplayConsole console = SlowAutoConsole();
        console.SwitchSurface(new TestSurface(20, 20).Surface);
        await Task.Run(console.Dispose, TestContext.Current.CancellationToken).WaitAsync(s_bound, TestContext.Current.CancellationToken);
        Assert.Throws<ObjectDisposedException>(() => console.Refresh());
    }

    [Fact]
    public void Invalidate_AfterDisposeWhileAReaderWaited_IsIgnored()
    {
        DisplayConsole console = SlowAutoConsole();
        console.SwitchSurface(new TestSurface(20, 20).Surface);
        console.RequestRefresh();
        console.Dispose();
        Assert.Null(Record.Exception(() => console.Invalidate(0, 0, 5, 5)));
        Assert.Null(Record.Exception(console.RequestRefresh));
        Assert.Throws<ObjectDisposedException>(() => console.CopyRect(0, 0, 1, 1, 2, 2));
    }

    [Fact]
    public async Task Dispose_FromUpdatedHandlerOnRefreshThread_Returns()
    {
        var surface = new TestSurface(200, 150);
        DisplayConsole console = SlowAutoConsole();
        console.SwitchSurface(surface.Surface);
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        console.Updated += (_, _) =>
        {
            console.Dispose();
            disposed.TrySetResult();
        };

        console.RequestRefresh();
        surface.Touch(1, 1);
        console.Invalidate(1, 1, 1, 1);
        await disposed.Task.WaitAsync(s_bound, TestContext.Current.CancellationToken);
        Assert.Throws<ObjectDisposedException>(() => console.Refresh());
    }

    private static DisplayConsole SlowAutoConsole() => new(options: new DisplayConsoleOptions
    {
        AutoRefresh = true,
        MinRefreshInterval = TimeSpan.FromSeconds(30),
        MaxRefreshInterval = TimeSpan.FromSeconds(30),
    });

    private static TaskCompletionSource ObserveUpdated(DisplayConsole console)
    {
        var updated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        console.Updated += (_, _) => updated.TrySetResult();
        return updated;
    }

    private static void PaintUniform(TestSurface surface, uint colour)
    {
        for (int y = 0; y < surface.Height; y++)
        {
            for (int x = 0; x < surface.Width; x++)
            {
                surface.SetWord(x, y, colour);
            }
        }
    }

    private static int ReadUntilStopped(DisplayConsole console, CancellationToken stop)
    {
        int torn = 0;
        while (!stop.IsCancellationRequested)
        {
            using ShadowReadScope scope = console.ReadShadow();
            if (scope.Pixels.IndexOfAnyExcept(scope.Pixels[0]) >= 0)
            {
                torn++;
            }
        }

        return torn;
    }
}
