using System.Globalization;
using System.Xml.Linq;
using Rfb.Tests.Recording;
using TraceBench;

namespace Rfb.Tests.TraceBench;

/// <summary>The SVG charts of <c>--charts</c>: well-formed SVG whose text names every server and its values.</summary>
public sealed class ChartTests : IDisposable
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    private readonly string _dir = Directory.CreateTempSubdirectory("tracebench-charts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_FourServers_OneSvgNamingEveryServerWithItsBytesAndCpu()
    {
        BenchOptions options = BenchOptions.Parse(["t.fbs", "--encoding", "zrle", "--pace", "max"]);
        BenchResult[] results =
        [
            new() { Trace = "glxgears", Server = "rfb", Bytes = 14_750_000, CpuMsPerUpdate = 3.62 },
            new() { Trace = "glxgears", Server = "xvnc", Bytes = 16_480_000, CpuMsPerUpdate = 4.8 },
            new() { Trace = "glxgears", Server = "libvncserver", Bytes = 14_490_000, CpuMsPerUpdate = 3.76 },
            new() { Trace = "glxgears", Server = "neatvnc", Bytes = 18_520_000, CpuMsPerUpdate = 6.41 },
        ];

        IReadOnlyList<string> written = ChartWriter.Write(_dir, results, options);

        string path = Assert.Single(written);
        Assert.Equal(Path.Combine(_dir, "glxgears-zrle-max.svg"), path);
        List<string> text = SvgText(path);
        // The values as written on the bars: bytes in MB (10^6) and CPU ms, two decimals (by hand).
        foreach (string expected in new[] { "rfb", "xvnc", "libvncserver", "neatvnc", "14.75", "16.48", "14.49", "18.52", "3.62", "4.80", "3.76", "6.41" })
        {
            Assert.Contains(expected, text);
        }

        Assert.Contains(text, t => t.Contains("glxgears", StringComparison.Ordinal) && t.Contains("zrle, pace max", StringComparison.Ordinal));
        Assert.Contains("bytes on the wire (MB)", text);
        Assert.Contains("server CPU per update (ms)", text);
    }

    [Fact]
    public async Task Run_ShortTraceWithCharts_WritesItsChartWithTheMeasuredValues()
    {
        string trace = TracePaths.TestData(TracePaths.XtermFirst30);
        var output = new StringWriter();

        IReadOnlyList<BenchResult> results = await Bench.RunAsync(
            BenchOptions.Parse([trace, "--encoding", "tight", "--quality", "8", "--compress", "2", "--pace", "max", "--charts", _dir]),
            output, TextWriter.Null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));

        BenchResult r = Assert.Single(results);
        string path = Path.Combine(_dir, "xterm_scroll_first30-tight-q8-c2-max.svg");
        Assert.True(File.Exists(path), output.ToString());
        List<string> text = SvgText(path);
        Assert.Contains("rfb", text);
        Assert.Contains((r.Bytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture), text);
        Assert.Contains(r.CpuMsPerUpdate.ToString("0.00", CultureInfo.InvariantCulture), text);
        Assert.Contains(text, t => t.StartsWith("xterm_scroll_first30, tight q8 c2, pace max", StringComparison.Ordinal));
    }

    /// <summary>Parses the file as XML (throws when it is not) and returns the trimmed text of its SVG text elements.</summary>
    private static List<string> SvgText(string path)
    {
        XDocument doc = XDocument.Load(path);
        Assert.Equal(s_svg + "svg", doc.Root!.Name);
        List<string> text = doc.Descendants(s_svg + "text").Select(e => e.Value.Trim()).ToList();
        Assert.NotEmpty(text);
        return text;
    }
}
