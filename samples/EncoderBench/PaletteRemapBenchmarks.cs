using BenchmarkDotNet.Attributes;
using Rfb.Encodings;
using Rfb.Encodings.Analysis;

namespace EncoderBench;

/// <summary>
/// The renumbering of palette indices after Tight's palette is sorted by value
/// (<see cref="PaletteCounter.Remap"/>), over the sampled rectangles of a trace that fit in 256
/// colours and whose first-appearance order is not the value order, cut as Tight cuts them: the
/// processor's table lookups (64 or 16 at once) against one index at a time (the baseline).
/// </summary>
public class PaletteRemapBenchmarks
{
    private readonly List<(byte[] Indices, byte[] Table, int Colours)> _pieces = [];
    private PaletteCounter.RemapPath _path;

    [ParamsSource(nameof(Traces))]
    public string Trace { get; set; } = "";

    public static IEnumerable<string> Traces => TraceLocator.Names;

    [Params(false, true)]
    public bool VectorRemap { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TraceFrames frames = TraceLocator.Sample(Trace);
        var counter = new PaletteCounter();
        foreach ((TraceRect rect, int x, int y, int w, int h) in TightPieces.Cut(frames))
        {
            var indices = new byte[w * h];
            if (!counter.TryIndex(rect.View.Slice(x, y, w, h), PaletteCounter.MaxColours, indices) || counter.Count < 2)
            {
                continue;
            }

            // The renumbering SortByValue applies: each colour's rank by value.
            uint[] colours = counter.Colours.ToArray();
            int[] order = Enumerable.Range(0, colours.Length).OrderBy(i => colours[i]).ToArray();
            var table = new byte[colours.Length];
            for (int rank = 0; rank < order.Length; rank++)
            {
                table[order[rank]] = (byte)rank;
            }

            if (table.Select((v, i) => v != i).Any(d => d))
            {
                _pieces.Add((indices, table, colours.Length));
            }
        }

        _path = VectorRemap ? PaletteCounter.RemapPath.Best : PaletteCounter.RemapPath.Scalar;
    }

    /// <summary>Renumbers every piece's indices in place (the table is a permutation, so repeating it stays in range); returns the pieces.</summary>
    [Benchmark]
    public int RemapAll()
    {
        foreach ((byte[] indices, byte[] table, int colours) in _pieces)
        {
            PaletteCounter.Remap(indices, table, colours, _path);
        }

        return _pieces.Count;
    }
}
