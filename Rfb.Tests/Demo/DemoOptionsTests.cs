using System.Net;
using DemoEmulator;
using Microsoft.Extensions.Logging;

namespace Rfb.Tests.Demo;

public sealed class DemoOptionsTests
{
    [Fact]
    public void Parse_NoArguments_GivesDefaults()
    {
        DemoOptions o = DemoOptions.Parse([]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 5900), o.Vnc);
        Assert.Null(o.WebSocket);
        Assert.Equal((1280, 720), (o.Width, o.Height));
        Assert.Equal(1, o.Heads);
        Assert.Null(o.PasswordFile);
        Assert.Null(o.TraceFile);
        Assert.Equal(LogLevel.Information, o.LogLevel);
        Assert.False(o.ShowHelp);
    }

    [Theory]
    [InlineData("127.0.0.1:5900", "127.0.0.1", 5900)]
    [InlineData("0.0.0.0:5901", "0.0.0.0", 5901)]
    [InlineData("[::1]:5900", "::1", 5900)]
    [InlineData("[::]:6000", "::", 6000)]
    [InlineData("192.168.1.20:0", "192.168.1.20", 0)]
    public void Parse_Vnc_GivesEndPoint(string value, string address, int port)
    {
        DemoOptions o = DemoOptions.Parse(["--vnc", value]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), o.Vnc);
    }

    [Fact]
    public void Parse_Ws_GivesEndPoint()
    {
        DemoOptions o = DemoOptions.Parse(["--ws", "[::1]:5700"]);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 5700), o.WebSocket);
    }

    [Theory]
    [InlineData("800x600", 800, 600)]
    [InlineData("16x16", 16, 16)]
    [InlineData("8192X8192", 8192, 8192)]
    public void Parse_Size_GivesDimensions(string value, int width, int height)
    {
        DemoOptions o = DemoOptions.Parse(["--size", value]);
        Assert.Equal((width, height), (o.Width, o.Height));
    }

    [Fact]
    public void Parse_EveryOptionWithValues_SetsEachOne()
    {
        DemoOptions o = DemoOptions.Parse(
        [
            "--vnc", "0.0.0.0:5999", "--size", "1024x768", "--password-file", "secret.txt", "--trace", "desktop.fbs.zst",
            "--ws", "127.0.0.1:5700", "--heads", "3", "--log-level", "debug",
        ]);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 5999), o.Vnc);
        Assert.Equal((1024, 768), (o.Width, o.Height));
        Assert.Equal("secret.txt", o.PasswordFile);
        Assert.Equal("desktop.fbs.zst", o.TraceFile);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5700), o.WebSocket);
        Assert.Equal(3, o.Heads);
        Assert.Equal(LogLevel.Debug, o.LogLevel);
    }

    [Fact]
    public void Parse_ValueAfterEquals_IsAccepted()
    {
        DemoOptions o = DemoOptions.Parse(["--size=640x480", "--heads=8", "--log-level=Critical"]);
        Assert.Equal((640, 480, 8, LogLevel.Critical), (o.Width, o.Height, o.Heads, o.LogLevel));
    }

    [Theory]
    [InlineData("Trace", LogLevel.Trace)]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("information", LogLevel.Information)]
    [InlineData("Warning", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("Critical", LogLevel.Critical)]
    public void Parse_LogLevel_AcceptsEveryLevelInAnyCase(string value, LogLevel level)
    {
        Assert.Equal(level, DemoOptions.Parse(["--log-level", value]).LogLevel);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Parse_Help_SetsShowHelpEvenWithOtherMistakes(string flag)
    {
        Assert.True(DemoOptions.Parse(["--foo", flag, "--size", "abc"]).ShowHelp);
    }

    [Theory]
    [InlineData(new[] { "--foo" }, "unknown option --foo; see --help")]
    [InlineData(new[] { "-x" }, "unknown option -x; see --help")]
    [InlineData(new[] { "--foo=1" }, "unknown option --foo; see --help")]
    [InlineData(new[] { "extra" }, "unexpected argument 'extra'; see --help")]
    [InlineData(new[] { "--size", "abc" }, "--size expects WxH such as 1280x720, got 'abc'")]
    [InlineData(new[] { "--size", "1280x" }, "--size expects WxH such as 1280x720, got '1280x'")]
    [InlineData(new[] { "--size", "-5x10" }, "--size expects WxH such as 1280x720, got '-5x10'")]
    [InlineData(new[] { "--size" }, "--size expects WxH such as 1280x720, got nothing")]
    [InlineData(new[] { "--size=" }, "--size expects WxH such as 1280x720, got nothing")]
    [InlineData(new[] { "--size", "15x720" }, "--size must be 16..8192 pixels on each side, got 15x720")]
    [InlineData(new[] { "--size", "1280x8193" }, "--size must be 16..8192 pixels on each side, got 1280x8193")]
    [InlineData(new[] { "--vnc", "localhost" }, "--vnc expects ADDR:PORT such as 127.0.0.1:5900, [::1]:5900 or 0.0.0.0:5900, got 'localhost'")]
    [InlineData(new[] { "--vnc", "::1:5900" }, "--vnc expects ADDR:PORT such as 127.0.0.1:5900, [::1]:5900 or 0.0.0.0:5900, got '::1:5900'")]
    [InlineData(new[] { "--vnc", "[::1]" }, "--vnc expects ADDR:PORT such as 127.0.0.1:5900, [::1]:5900 or 0.0.0.0:5900, got '[::1]'")]
    [InlineData(new[] { "--vnc", "1.2:5900" }, "--vnc expects ADDR:PORT such as 127.0.0.1:5900, [::1]:5900 or 0.0.0.0:5900, got '1.2:5900'")]
    [InlineData(new[] { "--vnc", "127.0.0.1:65536" }, "--vnc: port must be a number from 0 to 65535, got '65536'")]
    [InlineData(new[] { "--vnc", "127.0.0.1:http" }, "--vnc: port must be a number from 0 to 65535, got 'http'")]
    [InlineData(new[] { "--vnc" }, "--vnc expects ADDR:PORT such as 127.0.0.1:5900, [::1]:5900 or 0.0.0.0:5900, got nothing")]
    [InlineData(new[] { "--ws", "5700" }, "--ws expects ADDR:PORT such as 127.0.0.1:5700 or [::1]:5700, got '5700'")]
    [InlineData(new[] { "--heads", "0" }, "--heads expects a number from 1 to 8, got '0'")]
    [InlineData(new[] { "--heads", "9" }, "--heads expects a number from 1 to 8, got '9'")]
    [InlineData(new[] { "--heads", "two" }, "--heads expects a number from 1 to 8, got 'two'")]
    [InlineData(new[] { "--log-level", "loud" }, "--log-level expects one of Trace, Debug, Information, Warning, Error, Critical, got 'loud'")]
    [InlineData(new[] { "--log-level", "None" }, "--log-level expects one of Trace, Debug, Information, Warning, Error, Critical, got 'None'")]
    [InlineData(new[] { "--password-file" }, "--password-file expects a file name, got nothing")]
    [InlineData(new[] { "--trace" }, "--trace expects a file name, got nothing")]
    [InlineData(new[] { "--heads", "2", "--heads", "3" }, "--heads was given more than once")]
    [InlineData(new[] { "--size", "--heads", "2" }, "--size expects WxH such as 1280x720, got '--heads'")]
    public void Parse_Mistake_ThrowsWithExactMessage(string[] args, string message)
    {
        var e = Assert.Throws<DemoOptionsException>(() => DemoOptions.Parse(args));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("--vnc ADDR:PORT", "127.0.0.1:5900")]
    [InlineData("--size WxH", "1280x720")]
    [InlineData("--heads N", "default 1")]
    [InlineData("--password-file FILE", "no password")]
    [InlineData("--trace FILE", "draw the scene")]
    [InlineData("--ws ADDR:PORT", "127.0.0.1:5700")]
    [InlineData("--log-level LEVEL", "default Information")]
    [InlineData("-h, --help", "Show this text")]
    public void HelpText_EveryOption_IsListedWithItsDefault(string option, string defaultText)
    {
        string help = DemoOptions.HelpText;
        int at = help.IndexOf(option, StringComparison.Ordinal);
        Assert.True(at >= 0, $"help lacks {option}");
        // The default is told in the option's own entry, before the next option starts.
        int next = help.IndexOf("\n  -", at + 1, StringComparison.Ordinal);
        string entry = next < 0 ? help[at..] : help[at..next];
        Assert.Contains(defaultText, entry, StringComparison.Ordinal);
    }
}
