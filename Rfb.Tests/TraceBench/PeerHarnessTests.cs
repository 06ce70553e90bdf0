using System.Diagnostics;
using Rfb.Tests.EndToEnd.Tools;
using Rfb.Tests.Recording;
using TraceBench;
using TraceBench.Servers;

namespace Rfb.Tests.TraceBench;

/// <summary>
/// The peer harnesses are built and run on a short trace, so that they cannot rot: each peer's
/// server must deliver the trace's final frame to the measuring client.
/// </summary>
public sealed class PeerHarnessTests
{
    [Theory]
    [InlineData("libvncserver")]
    [InlineData("neatvnc")]
    [InlineData("xvnc")]
    public async Task Run_ShortTraceOnPeer_ClientGetsFinalFrame(string peer)
    {
        RequireBuildTools(peer);
        string trace = TracePaths.TestData(TracePaths.XtermFirst30);
        var output = new StringWriter();

        IReadOnlyList<BenchResult> results = await Bench.RunAsync(
            BenchOptions.Parse([trace, "--pace", "max", "--peers", peer]), output, TextWriter.Null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(180));

        Assert.Equal(["rfb", peer], results.Select(r => r.Server).ToArray());
        BenchResult p = results[1];
        Assert.True(p.FinalFrameMatches, $"{peer}: {p.FinalFrame}");
        Assert.True(p.Bytes > 0 && p.MpxPerS > 0, output.ToString());
        Assert.Contains($"best peer: bytes {peer}", output.ToString());
        if (peer == "libvncserver")
        {
            // libvncserver sends what was marked, unrefined, and this trace has no overlapping
            // rectangles within an update: with each replayed update marked at once, every
            // update goes out whole and none is merged with the next, so every damaged pixel is
            // sent once.
            Assert.Equal(p.MpxDamaged, p.MpxSent, 6);
        }
    }

    private static void RequireBuildTools(string peer)
    {
        RequiredTool.Locate("gcc", "gcc");
        RequiredTool.Locate("pkg-config", "pkg-config");
        if (peer == "xvnc")
        {
            RequiredTool.Locate("Xvnc", "tigervnc-standalone-server");
        }

        (string[] pkgs, string debian) = PeerBuilder.Requirements(peer);
        foreach (string pkg in pkgs)
        {
            using var probe = Process.Start(new ProcessStartInfo("pkg-config", ["--exists", pkg]) { UseShellExecute = false })!;
            probe.WaitForExit(10_000);
            if (probe.ExitCode != 0)
            {
                string message = $"pkg-config cannot find {pkg}; install the Debian packages {debian}.";
                if (RequiredTool.IsCi)
                {
                    Assert.Fail(message);
                }

                Assert.Skip(message);
            }
        }
    }
}
