namespace Rfb.Encodings;

/// <summary>
/// Items produced on several threads and consumed in order on the calling thread: the encoders'
/// way of keeping a zlib stream's data in order while the work before it runs in parallel.
/// Producers take items in index order; the calling thread consumes item i once it is produced,
/// and while it is not, produces the next untaken item itself (so the work never waits on a
/// thread that has not started). A producer's exception stops the run and is thrown on the
/// calling thread. One instance per encoder; not reentrant.
/// </summary>
internal sealed class OrderedPipeline
{
    private readonly object _gate = new();
    private bool[] _ready = [];
    private int _next;
    private int _count;
    private Exception? _failure;

    /// <summary>
    /// Runs items 0..<paramref name="count"/>−1: <paramref name="produce"/>(item, scratch) on the
    /// calling thread (with <paramref name="scratch"/>[0]) and on
    /// <paramref name="scratch"/>.Count − 1 helper threads (one scratch each), then
    /// <paramref name="consume"/>(item) on the calling thread in index order.
    /// </summary>
    public void Run<TScratch>(int count, IReadOnlyList<TScratch> scratch, Action<int, TScratch> produce, Action<int> consume)
    {
        if (_ready.Length < count)
        {
            _ready = new bool[Math.Max(count, _ready.Length * 2)];
        }

        Array.Clear(_ready, 0, count);
        _count = count;
        _next = -1;
        _failure = null;
        var helpers = new Task[Math.Min(scratch.Count - 1, Math.Max(0, count - 1))];
        for (int h = 0; h < helpers.Length; h++)
        {
            TScratch mine = scratch[h + 1];
            helpers[h] = Task.Factory.StartNew(() => Produce(mine, produce, int.MaxValue), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        }

        try
        {
            for (int i = 0; i < count; i++)
            {
                while (!Volatile.Read(ref _ready[i]))
                {
                    if (!Produce(scratch[0], produce, i))
                    {
                        lock (_gate)
                        {
                            while (!Volatile.Read(ref _ready[i]) && _failure is null)
                            {
                                Monitor.Wait(_gate);
                            }
                        }
                    }

                    if (_failure is not null)
                    {
                        throw new InvalidOperationException("An encoder worker failed.", _failure);
                    }
                }

                consume(i);
            }
        }
        finally
        {
            // Stop the helpers taking more items and let them finish the ones they hold.
            Interlocked.Exchange(ref _next, int.MaxValue / 2);
            try
            {
                Task.WaitAll(helpers);
            }
            catch (AggregateException) when (_failure is not null)
            {
                // Already reported through _failure.
            }
        }
    }

    /// <summary>
    /// Takes and produces items in index order until none is left or, for the calling thread, it
    /// has produced one at or past <paramref name="untilIndex"/>. Returns whether it produced any.
    /// </summary>
    private bool Produce<TScratch>(TScratch scratch, Action<int, TScratch> produce, int untilIndex)
    {
        bool any = false;
        try
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < _count)
            {
                produce(i, scratch);
                lock (_gate)
                {
                    Volatile.Write(ref _ready[i], true);
                    Monitor.PulseAll(_gate);
                }

                any = true;
                if (i >= untilIndex)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failure ??= e;
                Monitor.PulseAll(_gate);
            }

            throw;
        }

        return any;
    }
}
