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
        int most = 0;
        foreach (List<TraceRect> update in _frames.Updates)
        {
            foreach (TraceRect r in update)
            {
                PixelView view = r.View;
                for (int x = 0; x < view.Width; x += 2048)
                {
                    int w = Math.Min(2048, view.Width - x);
                    int rows = Math.Max(1, 65536 / w);
                    for (int y = 0; y < view.Height; y += rows)
                    {
                        int h = Math.Min(rows, view.Height - y);
                        _pieces.Add((r, x, y, w, h));
                        most = Math.Max(most, w * h);
                    }
                }
            }
        }

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
