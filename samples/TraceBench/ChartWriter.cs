using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace TraceBench;

/// <summary>
/// <c>--charts DIR</c>: one SVG per trace and setting with two bar charts side by side, the bytes
/// on the wire (MB) and the server CPU per recorded update (ms) of this server and of each peer,
/// every bar labelled with its value. Drawn with ScottPlot; SkiaSharp writes the SVG, with the
/// labels as text.
/// </summary>
internal static class ChartWriter
{
    private const int Width = 1100;
    private const int Height = 460;

    /// <summary>The font the labels ask for (Debian fonts-dejavu-core); SkiaSharp falls back to another where it is missing.</summary>
    private const string FontName = "DejaVu Sans";

    private static readonly Color s_ours = new(0x1F, 0x77, 0xB4);
    private static readonly Color s_peer = new(0x9A, 0x9A, 0x9A);

    /// <summary>Writes one chart per trace in <paramref name="results"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<BenchResult> results, BenchOptions options)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (IGrouping<string, BenchResult> trace in results.GroupBy(r => r.Trace))
        {
            List<BenchResult> servers = trace.ToList();
            string path = Path.Combine(directory, $"{trace.Key}-{Slug(options)}.svg");
            string subject = $"{trace.Key}, {Settings(options)}";
            Plot bytes = BarPlot(servers, r => r.Bytes / 1e6, $"{subject}: bytes", "bytes on the wire (MB)");
            Plot cpu = BarPlot(servers, r => r.CpuMsPerUpdate, $"{subject}: CPU", "server CPU per update (ms)");
            using (FileStream file = File.Create(path))
            using (SKCanvas canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), file))
            {
                // Each panel in its own clipped, translated half: a plot clears its canvas first.
                Panel(canvas, bytes, 0);
                Panel(canvas, cpu, Width / 2);
            }

            paths.Add(path);
        }

        return paths;
    }

    private static void Panel(SKCanvas canvas, Plot plot, int left)
    {
        canvas.Save();
        canvas.ClipRect(new SKRect(left, 0, left + (Width / 2), Height));
        canvas.Translate(left, 0);
        plot.Render(canvas, Width / 2, Height);
        canvas.Restore();
    }

    /// <summary>How a value is written on its bar: two decimals, invariant culture.</summary>
    public static string Label(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>The settings in a chart's title: "tight q8 c2, pace max".</summary>
    internal static string Settings(BenchOptions options)
    {
        string s = EncodingNames.Name(options.Encoding);
        if (options.Quality >= 0)
        {
            s += $" q{options.Quality}";
        }

        if (options.Compress >= 0)
        {
            s += $" c{options.Compress}";
        }

        if (options.Threads > 0)
        {
            s += $" threads {options.Threads}";
        }

        return $"{s}, pace {(options.Pace == Pace.Max ? "max" : "recorded")}";
    }

    /// <summary>The settings in a chart's file name: "tight-q8-c2-max".</summary>
    internal static string Slug(BenchOptions options) =>
        Settings(options).Replace(", pace ", " ", StringComparison.Ordinal).Replace("threads ", "t", StringComparison.Ordinal).Replace(' ', '-');

    private static Plot BarPlot(List<BenchResult> servers, Func<BenchResult, double> figure, string title, string axis)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        double max = 0;
        for (int i = 0; i < servers.Count; i++)
        {
            double value = figure(servers[i]);
            max = Math.Max(max, value);
            bars.Add(new Bar
            {
                Position = i,
                Value = value,
                Label = Label(value),
                FillColor = servers[i].Server == "rfb" ? s_ours : s_peer,
            });
            ticks.Add(new Tick(i, servers[i].Server));
        }

        ScottPlot.Plottables.BarPlot plottable = plot.Add.Bars(bars);
        plottable.ValueLabelStyle.FontSize = 15;
        plottable.ValueLabelStyle.FontName = FontName;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 15;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.SetLimits(-0.6, servers.Count - 0.4, 0, max > 0 ? max * 1.15 : 1);
        plot.Title(title, size: 16);
        plot.YLabel(axis, size: 15);
        return plot;
    }
}
