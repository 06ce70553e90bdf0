using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

public sealed class DisplayConsoleRobustnessTests
{
    [Fact]
    public async Task RefreshThread_HandlerThrows_KeepsRefreshing()
    {
        var memory = new byte[64 * 64 * 4];
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { MinRefreshInterval = TimeSpan.FromMilliseconds(5) });
        console.SwitchSurface(GuestSurface.FromMemory(memory, 64, 64, 256, DrmFourcc.Xrgb8888));
        int calls = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        console.Updated += (_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("subscriber bug");
            }

            second.TrySetResult();
        };

        memory[0] = 1;
        console.Invalidate(0, 0, 1, 1);
        await Task.Delay(200);
        memory[4] = 1;
        console.Invalidate(1, 0, 1, 1);
        await second.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(calls >= 2);
    }

    [Theory]
    [InlineData(0, 500)]
    [InlineData(20, 10)]
    public void Options_BadRefreshIntervals_Refused(int minMs, int maxMs)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DisplayConsole(options: new DisplayConsoleOptions
        {
            MinRefreshInterval = TimeSpan.FromMilliseconds(minMs),
            MaxRefreshInterval = TimeSpan.FromMilliseconds(maxMs),
        }));
    }
}
