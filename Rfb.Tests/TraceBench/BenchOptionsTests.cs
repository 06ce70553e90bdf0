using Rfb.Encodings;
using TraceBench;

namespace Rfb.Tests.TraceBench;

public sealed class BenchOptionsTests
{
    [Fact]
    public void Parse_EveryOption_ReadsThem()
    {
        BenchOptions o = BenchOptions.Parse(["a.fbs.zst", "b.fbs", "--encoding", "tight", "--quality", "8", "--compress", "2", "--threads", "2",
            "--pace", "max", "--peers", "xvnc,libvncserver,neatvnc", "--json", "out.json", "--final-frame", "f.png", "--charts", "charts", "--updates", "updates", "--clients", "8", "--warmup"]);

        Assert.Equal(["a.fbs.zst", "b.fbs"], o.Traces);
        Assert.Equal(EncodingType.Tight, o.Encoding);
        Assert.Equal(8, o.Quality);
        Assert.Equal(2, o.Compress);
        Assert.Equal(2, o.Threads);
        Assert.Equal(Pace.Max, o.Pace);
        Assert.Equal(["xvnc", "libvncserver", "neatvnc"], o.Peers);
        Assert.Equal("out.json", o.JsonPath);
        Assert.Equal(Path.Combine("", "f-a.png"), o.FinalFrameFor("a"));
        Assert.Equal("charts", o.ChartsDirectory);
        Assert.Equal("updates", o.UpdatesDirectory);
        Assert.Equal(8, o.Clients);
        Assert.True(o.Warmup);
    }

    [Fact]
    public void Parse_Defaults_RawRecordedNoPeers()
    {
        BenchOptions o = BenchOptions.Parse(["t.fbs"]);

        Assert.Equal(EncodingType.Raw, o.Encoding);
        Assert.Equal(Pace.Recorded, o.Pace);
        Assert.Equal(-1, o.Quality);
        Assert.Equal(-1, o.Compress);
        Assert.Empty(o.Peers);
        Assert.False(o.EncoderOnly);
        Assert.Null(o.ChartsDirectory);
        Assert.Null(o.UpdatesDirectory);
        Assert.Equal(1, o.Clients);
        Assert.False(o.Warmup);
    }

    [Theory]
    [InlineData(new[] { "t.fbs", "--encoding", "h264" }, "--encoding h264: unknown encoding; use one of raw|hextile|zlib|tight|zrle|tightpng.")]
    [InlineData(new[] { "t.fbs", "--pace", "fast" }, "--pace fast: use recorded or max.")]
    [InlineData(new[] { "t.fbs", "--quality", "10" }, "--quality 10: give a whole number from 0 to 9.")]
    [InlineData(new[] { "t.fbs", "--compress", "-1" }, "--compress -1: give a whole number from 0 to 9.")]
    [InlineData(new[] { "t.fbs", "--peers", "vino" }, "--peers: unknown peer vino; use xvnc,libvncserver,neatvnc.")]
    [InlineData(new[] { "t.fbs", "--json" }, "--json needs a value.")]
    [InlineData(new[] { "t.fbs", "--frobnicate", "1" }, "Unknown option --frobnicate; see --help.")]
    [InlineData(new[] { "--pace", "max" }, "Give at least one trace (.fbs or .fbs.zst); see --help.")]
    [InlineData(new[] { "t.fbs", "--encoder-only", "--peers", "xvnc" }, "--encoder-only measures this library's encoders alone; it cannot run --peers.")]
    [InlineData(new[] { "t.fbs", "--clients", "0" }, "--clients 0: give a whole number from 1 to 64.")]
    [InlineData(new[] { "t.fbs", "--encoder-only", "--clients", "2" }, "--encoder-only has no clients; it cannot run --clients.")]
    [InlineData(new[] { "t.fbs", "--encoder-only", "--updates", "u" }, "--encoder-only has no client and so no latencies; it cannot write --updates.")]
    [InlineData(new[] { "t.fbs", "--updates" }, "--updates needs a value.")]
    public void Parse_BadArguments_ThrowsWithMessage(string[] args, string message)
    {
        var ex = Assert.Throws<BenchOptionsException>(() => BenchOptions.Parse(args));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void RecordParse_HostPortSecondsPath_ReadsThem()
    {
        (string host, int port, double seconds, string path) = RecordCommand.Parse(["record", "127.0.0.1:5901", "--seconds", "2.5", "out.fbs.zst"]);

        Assert.Equal(("127.0.0.1", 5901, 2.5, "out.fbs.zst"), (host, port, seconds, path));
    }

    [Theory]
    [InlineData(new[] { "record", "localhost", "--seconds", "1", "o.fbs" }, "record: localhost is not HOST:PORT.")]
    [InlineData(new[] { "record", "h:1", "--seconds", "0", "o.fbs" }, "record: --seconds needs a positive number.")]
    [InlineData(new[] { "record", "h:1", "o.fbs" }, "Usage: TraceBench record HOST:PORT --seconds N OUT.fbs.zst")]
    public void RecordParse_BadArguments_ThrowsWithMessage(string[] args, string message)
    {
        var ex = Assert.Throws<BenchOptionsException>(() => RecordCommand.Parse(args));
        Assert.Equal(message, ex.Message);
    }
}
