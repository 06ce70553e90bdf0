using System.Diagnostics;
using ConsoleBridge;

namespace GlScanout;

/// <summary>
/// Watches a console for the frame stamp (<see cref="SceneProducer.FrameOf"/>) in its top-left
/// pixel: counts distinct frames that reached the shadow and, once latency recording is on, the
/// time from each frame's submission to its stamp in the shadow. Shared by both benchmarks.
/// </summary>
internal sealed class FrameMeter
{
    private readonly object _gate = new();
    private readonly long[] _submitted;
    private readonly List<double> _latencies = new();
    private long _delivered;
    private long _shown = -1;
    private bool _recordLatency;

    /// <param name="console">The console whose shadow is watched.</param>
    /// <param name="slots">Submission timestamps kept, a power of two larger than the frames in flight.</param>
    public FrameMeter(DisplayConsole console, int slots)
    {
        _submitted = new long[slots];
        console.Updated += (_, _) =>
        {
            long now = Stopwatch.GetTimestamp();
            uint stamp;
            using (ShadowReadScope shadow = console.ReadShadow())
            {
                stamp = shadow.Pixels[0];
            }

            long frame = SceneProducer.FrameOf(stamp);
            lock (_gate)
            {
                if (frame != _shown)
                {
                    _shown = frame;
                    _delivered++;
                    long start = _submitted[frame & (_submitted.Length - 1)];
                    if (_recordLatency && start != 0)
                    {
                        _latencies.Add(Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
                    }

                    Monitor.PulseAll(_gate);
                }
            }
        };
    }

    public long Delivered
    {
        get
        {
            lock (_gate)
            {
                return _delivered;
            }
        }
    }

    /// <summary>From now on, frames marked with <see cref="MarkSubmitted"/> add a latency sample.</summary>
    public void RecordLatency()
    {
        lock (_gate)
        {
            _recordLatency = true;
        }
    }

    public void MarkSubmitted(long frame) => _submitted[frame & (_submitted.Length - 1)] = Stopwatch.GetTimestamp();

    public double[] SortedLatencies()
    {
        lock (_gate)
        {
            return _latencies.Order().ToArray();
        }
    }

    /// <summary>Waits until the newest frame shown satisfies <paramref name="condition"/>.</summary>
    public void WaitForShown(Func<long, bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        lock (_gate)
        {
            while (!condition(_shown))
            {
                TimeSpan left = timeout - deadline.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"The benchmark's frame did not reach the shadow within {timeout}.");
                }

                Monitor.Wait(_gate, left);
            }
        }
    }

    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
