using System.Collections.Concurrent;

namespace Rfb.Encodings;

/// <summary>
/// Scratch objects shared by every encoder of the process (Tight workers, ZRLE tile encoders):
/// they hold nothing a session needs between calls, so sessions rent one for a call instead of
/// owning it, and the memory follows the number of encodes running at once, not the number of
/// connected clients. At most twice the processor count are kept idle; more are dropped (and
/// disposed when disposable) when given back.
/// </summary>
internal sealed class ScratchPool<T>(Func<T> create)
    where T : class
{
    private readonly ConcurrentBag<T> _idle = [];
    private int _idleCount;

    private static int MaxIdle => 2 * Environment.ProcessorCount;

    public T Rent()
    {
        if (_idle.TryTake(out T? item))
        {
            Interlocked.Decrement(ref _idleCount);
            return item;
        }

        return create();
    }

    public void Return(T item)
    {
        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            (item as IDisposable)?.Dispose();
            return;
        }

        _idle.Add(item);
    }
}
