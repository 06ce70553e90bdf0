using System.Collections.Concurrent;

namespace Rfb.Tests.Recording;

/// <summary>
/// A clock that never really waits: each timer it creates records its due time, moves the clock
/// forward by it and fires at once. Tests read <see cref="Delays"/> to see how long code asked to wait.
/// </summary>
internal sealed class SteppingTimeProvider : TimeProvider
{
    private long _ticks;

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Delays.Enqueue(dueTime);
        Interlocked.Add(ref _ticks, dueTime.Ticks);
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new FiredTimer();
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
