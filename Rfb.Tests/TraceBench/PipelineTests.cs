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
