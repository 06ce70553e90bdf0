using System.Text.Json;
using Rfb.Recording;
using Rfb.Tests.EndToEnd.Tools;
using Rfb.Tests.Recording;
using TraceBench;

namespace Rfb.Tests.TraceBench;

/// <summary>A short trace through console, bridge, session and a loopback socket to the measuring client in its own process.</summary>
public sealed class PipelineTests : IDisposable
{
    private static readonly string[] s_jsonKeys =
        ["trace", "server", "updates", "mpx_damaged", "mpx_sent", "bytes", "cpu_ms_per_update", "mpx_per_s", "latency_p50_ms", "latency_p99_ms", "peak_memory_mb",
            "clients", "memory_per_client_mb", "managed_memory_per_client_mb", "zlib_memory_per_client_mb", "final_frame", "final_frame_psnr_db"];

    private readonly string _dir = Directory.CreateTempSubdirectory("tracebench-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("max")]
    [InlineData("recorded")]
    public async Task Run_ShortTrace_ClientFinalFrameEqualsTraceFinalFrame(string pace)
    {
        string trace = TracePaths.TestData(TracePaths.XtermFirst30);
        string png = Path.Combine(_dir, "final.png");
        string json = Path.Combine(_dir, "out.json");
        var output = new StringWriter();

        IReadOnlyList<BenchResult> results = await Bench.RunAsync(
            BenchOptions.Parse([trace, "--pace", pace, "--json", json, "--final-frame", png]), output, TextWriter.Null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(120));

        // The expected frame is decoded independently of the bench: the recording reader's own
        // framebuffer, and our PNG decoder reading what the bench wrote.
        ImageRgb expected = Expected(trace);
        ImageAssert.Equal(expected, PngDecoder.Decode(png), $"final frame at pace {pace}");
        BenchResult r = Assert.Single(results);
        Assert.Equal("match", r.FinalFrame);
        Assert.Equal(("xterm_scroll_first30", "rfb", 30L), (r.Trace, r.Server, r.Updates));
        Assert.True(r.Bytes > 0 && r.MpxSent > 0 && r.MpxPerS > 0, output.ToString());
        // Raw: the bytes are exactly the Raw size of what was sent.
        Assert.Equal(r.RawBytes, r.Bytes);
        Assert.True(r.LatencyP50Ms > 0 && r.LatencyP99Ms >= r.LatencyP50Ms, output.ToString());
        Assert.Contains("xterm_scroll_first30", output.ToString());

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement item = Assert.Single(doc.RootElement.EnumerateArray().ToArray());
        Assert.Equal(s_jsonKeys, item.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("xterm_scroll_first30", item.GetProperty("trace").GetString());
        Assert.Equal(30, item.GetProperty("updates").GetInt32());
        Assert.Equal(r.Bytes, item.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Run_WithUpdates_ListsEveryMeasuredUpdateAndItsLatenciesGiveTheTableFigures()
    {
        string trace = TracePaths.TestData(TracePaths.XtermFirst30);
        string updates = Path.Combine(_dir, "updates");
        var output = new StringWriter();

        IReadOnlyList<BenchResult> results = await Bench.RunAsync(
            BenchOptions.Parse([trace, "--pace", "recorded", "--encoding", "zrle", "--updates", updates]), output, TextWriter.Null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(120));

        BenchResult r = Assert.Single(results);
        string[] lines = File.ReadAllLines(Path.Combine(updates, "xterm_scroll_first30-rfb.tsv"));
        Assert.Equal(UpdateListing.Header, lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.InRange(rows.Count, 1, 30);
        var c = System.Globalization.CultureInfo.InvariantCulture;
        int previous = -1;
        double previousApplied = -1;
        var received = new HashSet<int>();
        long bytes = 0;
        foreach (string[] row in rows)
        {
            Assert.Equal(9, row.Length);
            int update = int.Parse(row[0], c);
            double applied = double.Parse(row[1], c), first = double.Parse(row[2], c), last = double.Parse(row[3], c);
            Assert.True(update > previous && update < 30, string.Join(' ', row));
            Assert.True(applied >= previousApplied, string.Join(' ', row));
            Assert.True(first > 0 && first <= last, string.Join(' ', row));
            Assert.True(long.Parse(row[5], c) > 0 && int.Parse(row[6], c) > 0, string.Join(' ', row));
            if (received.Add(int.Parse(row[4], c)))
            {
                bytes += long.Parse(row[5], c);
            }

            // The monotonic column is the same moment: as far from the first line's as applied_ms says.
            Assert.Equal(applied - double.Parse(rows[0][1], c), (double.Parse(row[8], c) - double.Parse(rows[0][8], c)) * 1000, 0.01);
            (previous, previousApplied) = (update, applied);
        }

        // The same updates and the same percentiles as the table (to the listing's 1 µs).
        var latencies = rows.Select(row => double.Parse(row[3], c)).Order().ToList();
        Assert.Equal(r.LatencyP50Ms, BenchRunner.Percentile(latencies, 0.50), 0.001);
        Assert.Equal(r.LatencyP99Ms, BenchRunner.Percentile(latencies, 0.99), 0.001);
        Assert.InRange(bytes, 1, r.Bytes);
    }

    [Theory]
    [InlineData("max", "tight", "8", "2")]
    [InlineData("recorded", "tight", "8", "2")]
    [InlineData("max", "zrle", "-", "-")]
    [InlineData("recorded", "zrle", "-", "-")]
    [InlineData("max", "hextile", "-", "-")]
    [InlineData("max", "zlib", "-", "-")]
    [InlineData("max", "tightpng", "-", "-")]
    public async Task Run_ShortTraceEncoded_ClientDecodesTheTraceFinalFrame(string pace, string encoding, string quality, string compress)
    {
        string trace = TracePaths.TestData(TracePaths.XtermFirst30);
        string png = Path.Combine(_dir, "final.png");
        var args = new List<string> { trace, "--pace", pace, "--encoding", encoding, "--final-frame", png };
        if (quality != "-")
        {
            args.AddRange(["--quality", quality, "--compress", compress]);
        }

        var output = new StringWriter();
        IReadOnlyList<BenchResult> results = await Bench.RunAsync(BenchOptions.Parse(args), output, TextWriter.Null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(120));

        // Every rectangle was decoded by the client's own decoders (none skipped), and after the
        // idle period at the end (lossless refresh of any JPEG area) the frame is exact.
        BenchResult r = Assert.Single(results);
        Assert.StartsWith("match", r.FinalFrame, StringComparison.Ordinal);
        Assert.True(r.FinalFrameMatches);
        Assert.Equal(double.PositiveInfinity, r.FinalFramePsnrDb);
        ImageAssert.Equal(Expected(trace), PngDecoder.Decode(png), $"final frame in {encoding} at pace {pace}");
        Assert.True(r.Bytes < r.RawBytes, $"{encoding} sent {r.Bytes} bytes for {r.RawBytes} as Raw: {output}");
    }

    [Theory]
    [InlineData("zrle")]
    [InlineData("tight")]
    [InlineData("raw")]
    public async Task Run_ScrollsReplayedAsRedraws_FoundAsMovesAndFinalFrameExact(string encoding)
    {
        // The paced xterm trace scrolls with CopyRect; replayed as an emulator that cannot report
        // blits (--blits damage), the guest memory is the same but the console sees only damage.
        // The console's scroll search must find the moves: far fewer pixels sent than without
        // it, and the client (its own process, its own decoders) must still end on the exact frame.
        string trace = TracePaths.TestData(TracePaths.PacedFirst40);
        async Task<BenchResult> Run(string detection, string png)
        {
            var output = new StringWriter();
            IReadOnlyList<BenchResult> results = await Bench.RunAsync(
                BenchOptions.Parse([trace, "--pace", "max", "--encoding", encoding, "--blits", "damage", "--scroll-detection", detection, "--final-frame", png]),
                output,
                TextWriter.Null,
                CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
            BenchResult r = Assert.Single(results);
            Assert.True(r.FinalFrameMatches, $"scroll detection {detection}: {r.FinalFrame}\n{output}");
            ImageAssert.Equal(Expected(trace), PngDecoder.Decode(png), $"final frame in {encoding}, scroll detection {detection}");
            return r;
        }

        BenchResult off = await Run("off", Path.Combine(_dir, "off.png"));
        BenchResult on = await Run("on", Path.Combine(_dir, "on.png"));
        Assert.True(on.MpxSent * 2 < off.MpxSent, $"{encoding}: {on.MpxSent} Mpx sent with scroll detection, {off.MpxSent} without");
        Assert.True(on.Bytes * 3 < off.Bytes * 2, $"{encoding}: {on.Bytes} bytes with scroll detection, {off.Bytes} without");
    }

    [Fact]
    public void Options_BlitsAsDamageWithPeers_RefusedWithAReason()
    {
        var e = Assert.Throws<BenchOptionsException>(() => BenchOptions.Parse(["t.fbs", "--blits", "damage", "--peers", "xvnc"]));
        Assert.Contains("--blits damage", e.Message);
        Assert.Throws<BenchOptionsException>(() => BenchOptions.Parse(["t.fbs", "--blits", "none"]));
        Assert.Throws<BenchOptionsException>(() => BenchOptions.Parse(["t.fbs", "--scroll-detection", "maybe"]));
    }

    internal static ImageRgb Expected(string trace)
    {
        var fb = new TraceFramebuffer(1, 1);
        using var reader = new FbsReader(trace);
        foreach (TraceEvent e in RecordedSessionDecoder.ReadEvents(reader))
        {
            if (e is TraceServerInit init)
            {
                fb = new TraceFramebuffer(init.Width, init.Height);
            }
            else
            {
                fb.Apply((TraceUpdate)e);
            }
        }

        return ImageRgb.Create(fb.Width, fb.Height, (x, y) => fb.GetPixel(x, y) & 0x00FFFFFF);
    }
}
