using BenchmarkDotNet.Attributes;
using Rfb.Encodings.Analysis;

namespace EncoderBench;

/// <summary>
/// The JPEG decision on Tight's many-coloured pieces (those over 256 colours, cut as Tight cuts
/// them) of a trace's sampled rectangles: <see cref="GradientEstimator.IsFlat"/> (repeats of the
/// left neighbour counted eight at a time, stopping when the answer is certain) against
/// <see cref="GradientEstimator.Classify"/> (the baseline, which also sums the prediction
/// errors).
/// </summary>
public class GradientEstimatorBenchmarks
{
    private readonly List<(TraceRect Rect, int X, int Y, int Width, int Height)> _pieces = [];

    [ParamsSource(nameof(Traces))]
    public string Trace { get; set; } = "";

    public static IEnumerable<string> Traces => TraceLocator.Names;

    [GlobalSetup]
    public void Setup()
    {
        var counter = new PaletteCounter();
        foreach ((TraceRect rect, int x, int y, int w, int h) piece in TightPieces.Cut(TraceLocator.Sample(Trace)))
        {
            if (!counter.TryIndex(piece.rect.View.Slice(piece.x, piece.y, piece.w, piece.h), PaletteCounter.MaxColours, new byte[piece.w * piece.h]))
            {
                _pieces.Add(piece);
            }
        }
    }

    [Benchmark(Baseline = true)]
    public int Classify()
    {
        int flat = 0;
        foreach ((TraceRect rect, int x, int y, int w, int h) in _pieces)
        {
            flat += GradientEstimator.Classify(rect.View.Slice(x, y, w, h)) == ContentKind.Flat ? 1 : 0;
        }

        return flat;
    }

    [Benchmark]
    public int IsFlat()
    {
        int flat = 0;
        foreach ((TraceRect rect, int x, int y, int w, int h) in _pieces)
        {
            flat += GradientEstimator.IsFlat(rect.View.Slice(x, y, w, h)) ? 1 : 0;
        }

        return flat;
    }
}
