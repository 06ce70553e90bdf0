using BenchmarkDotNet.Attributes;
using Rfb.Encodings;
using Rfb.Encodings.Analysis;

namespace EncoderBench;

/// <summary>
/// Tight's palette counting (<see cref="PaletteCounter.TryIndex"/>, up to 256 colours) over the
/// sampled rectangles of a trace, cut as Tight cuts them (at most 2048 wide and 65536 pixels),
/// with eight pixels at once where they continue the current run against one pixel at a time
/// (the baseline), and, where eight do not all continue it, each pixel looked up against a
/// lookup only where a pixel differs from the one before (the baseline).
/// </summary>
public class PaletteCounterBenchmarks
{
    private readonly List<(TraceRect Rect, int X, int Y, int Width, int Height)> _pieces = [];
    private readonly PaletteCounter _counter = new();
    private byte[] _indices = [];
    private TraceFrames? _frames;

    [ParamsSource(nameof(Traces))]
    public string Trace { get; set; } = "";

    public static IEnumerable<string> Traces => TraceLocator.Names;

    [Params(false, true)]
    public bool VectorRuns { get; set; }

    [Params(false, true)]
    public bool LookUpMixedGroups { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frames = TraceLocator.Sample(Trace);
        _pieces.AddRange(TightPieces.Cut(_frames));
        int most = _pieces.Max(p => p.Width * p.Height);

        _indices = new byte[most];
        _counter.VectorRuns = VectorRuns;
        _counter.LookUpMixedGroups = LookUpMixedGroups;
    }

    /// <summary>Counts every piece; returns how many fit in 256 colours.</summary>
    [Benchmark]
    public int IndexAll()
    {
        int indexed = 0;
        foreach ((TraceRect rect, int x, int y, int w, int h) in _pieces)
        {
            if (_counter.TryIndex(rect.View.Slice(x, y, w, h), PaletteCounter.MaxColours, _indices))
            {
                indexed++;
            }
        }

        return indexed;
    }
}
