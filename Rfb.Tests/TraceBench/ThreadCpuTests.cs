using TraceBench;

namespace Rfb.Tests.TraceBench;

/// <summary>
/// The bench leaves its own threads' CPU out of this server's (it shares the bench's process), so
/// the thread clock must count the calling thread's work and nothing of another thread's.
/// </summary>
public sealed class ThreadCpuTests
{
    [Fact]
    public void Now_BusyThreadBesideSleepingOne_CountsOnlyTheCallersWork()
    {
        TimeSpan spun = TimeSpan.Zero;
        TimeSpan slept = TimeSpan.MaxValue;
        var busy = new Thread(() =>
        {
            TimeSpan start = ThreadCpu.Now();
            double sink = 0;
            while (ThreadCpu.Now() - start < TimeSpan.FromMilliseconds(60))
            {
                for (int i = 0; i < 10_000; i++)
                {
                    sink += Math.Sqrt(i);
                }
            }

            spun = ThreadCpu.Now() - start;
            GC.KeepAlive(sink);
        });
        var idle = new Thread(() =>
        {
            TimeSpan start = ThreadCpu.Now();
            Thread.Sleep(200);
            slept = ThreadCpu.Now() - start;
        });

        TimeSpan processBefore = ProcStats.CpuTime(Environment.ProcessId);
        idle.Start();
        busy.Start();
        busy.Join();
        idle.Join();
        TimeSpan process = ProcStats.CpuTime(Environment.ProcessId) - processBefore;

        Assert.InRange(spun, TimeSpan.FromMilliseconds(60), TimeSpan.FromSeconds(5));
        Assert.True(slept < TimeSpan.FromMilliseconds(20), $"a sleeping thread was charged {slept.TotalMilliseconds} ms");

        // The process's clock (10 ms ticks) saw at least the busy thread's work.
        Assert.True(process >= spun - TimeSpan.FromMilliseconds(20), $"process {process.TotalMilliseconds} ms, busy thread {spun.TotalMilliseconds} ms");
    }
}
