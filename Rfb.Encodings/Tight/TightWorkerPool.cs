using System.Collections.Concurrent;

namespace Rfb.Encodings.Tight;

/// <summary>
/// Workers shared by every Tight and TightPNG encoder of the process. A worker holds only
/// scratch (palette counter, index buffer, JPEG compressor), nothing a session needs between
/// calls, so sessions rent workers for one call instead of owning them: the memory of workers
/// follows the number of encodes running at once, not the number of connected clients.
/// </summary>
internal static class TightWorkerPool
{
    private static readonly ConcurrentBag<TightWorker> s_idle = [];
    private static int s_idleCount;

    /// <summary>The most idle workers kept; more are disposed when given back.</summary>
    private static int MaxIdle => 2 * Environment.ProcessorCount;

    public static TightWorker Rent()
    {
        if (s_idle.TryTake(out TightWorker? worker))
        {
            Interlocked.Decrement(ref s_idleCount);
            return worker;
        }

        return new TightWorker();
    }

    public static void Return(TightWorker worker)
    {
        if (Interlocked.Increment(ref s_idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref s_idleCount);
            worker.Dispose();
            return;
        }

        s_idle.Add(worker);
    }
}
