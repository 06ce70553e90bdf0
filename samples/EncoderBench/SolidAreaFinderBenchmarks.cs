using BenchmarkDotNet.Attributes;
using Rfb.Encodings.Analysis;
using Rfb.Encodings.Tight;

namespace EncoderBench;

/// <summary>
/// The solid-area search (<see cref="SolidAreaFinder"/>) over the sampled updates of a trace,
/// each update's rectangles merged into their union (as encperf --union encodes them), on one
/// and two threads: a large rectangle searched as two bands at once against searched whole (the
/// baseline).
/// </summary>
public class SolidAreaFinderBenchmarks
{
    private readonly List<SolidArea> _areas = [];
    private TraceFrames? _frames;

    [ParamsSource(nameof(Traces))]
    public string Trace { get; set; } = "";

    public static IEnumerable<string> Traces => TraceLocator.Names;

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(false, true)]
    public bool Bands { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _frames = TraceFrames.Load(Path.Combine(TraceLocator.Folder, Trace), TraceLocator.SampleEvery, union: true);

    /// <summary>Searches every rectangle; returns the areas found.</summary>
    [Benchmark]
    public int SplitAll()
    {
        int found = 0;
        foreach (List<TraceRect> update in _frames!.Updates)
        {
            foreach (TraceRect rect in update)
            {
                _areas.Clear();
                SolidAreaFinder.Split(rect.View, TightLevels.MinSolidArea, _areas, Threads, Bands);
                found += _areas.Count;
            }
        }

        return found;
    }
}
