using System.Diagnostics;
using System.IO.Pipelines;

namespace TraceBench.Servers;

/// <summary>
/// Passes a session's output through to the socket's writer and notes, for every flush, where
/// in the stream its bytes begin and when the first of them was written. The session writes an
/// update under the console's read lock and flushes after, so that time lies inside the lock: an
/// update whose first write comes after a refresh ended was built from that refresh's pixels.
/// </summary>
internal sealed class FlushRecordingWriter(PipeWriter inner) : PipeWriter
{
    private readonly object _lock = new();
    private readonly List<(long Offset, long Ticks)> _groups = new();
    private long _offset;
    private bool _inGroup;

    /// <summary>(stream offset, first-write ticks) of every flushed group so far.</summary>
    public (long Offset, long Ticks)[] Groups()
    {
        lock (_lock)
        {
            return _groups.ToArray();
        }
    }

    public override void Advance(int bytes)
    {
        if (bytes > 0 && !_inGroup)
        {
            _inGroup = true;
            lock (_lock)
            {
                _groups.Add((_offset, Stopwatch.GetTimestamp()));
            }
        }

        _offset += bytes;
        inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        _inGroup = false;
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);
}
