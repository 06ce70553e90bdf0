using System.Security.Cryptography;
using Rfb.Recording;

namespace Rfb.Tests.Recording;

/// <summary>Decodes the full shared traces when the checkout has them (they are not committed).</summary>
public sealed class FullTraceTests
{
    // Updates, CopyRect rectangles and SHA-256 from shared/traces/MANIFEST.md.
    [Theory]
    [InlineData("xterm_scroll.fbs.zst", 343, 0, "5a40652a43e6d1a2d888b83d2e16d26cd95e5254f04030b8838a5d25a052f4f3")]
    [InlineData("xterm_scroll_paced.fbs.zst", 626, 6248, "116d358a19144b226096e6b9888e9317b5aea16e152e5d9cc96df5aec06a71fc")]
    public void ReadEvents_FullSharedTrace_MatchesManifest(string name, int updates, int copyRects, string sha256)
    {
        string? path = TracePaths.Shared(name);
        if (path is null)
        {
            Assert.Skip($"The full trace shared/traces/{name} is not present.");
        }

        using (FileStream file = File.OpenRead(path))
        {
            Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(file)));
        }

        using var reader = new FbsReader(path);
        TraceFramebuffer? framebuffer = null;
        int updateCount = 0;
        int copies = 0;
        foreach (TraceEvent e in RecordedSessionDecoder.ReadEvents(reader))
        {
            if (e is TraceServerInit init)
            {
                Assert.Equal((1280, 720, "root@vm"), (init.Width, init.Height, init.Name));
                framebuffer = new TraceFramebuffer(init.Width, init.Height);
                continue;
            }

            var update = (TraceUpdate)e;
            foreach (TraceOperation operation in update.Operations)
            {
                copies += operation.Kind == TraceOperationKind.Copy ? 1 : 0;
                framebuffer!.Apply(operation);
            }

            updateCount++;
        }

        Assert.Equal(updates, updateCount);
        Assert.Equal(copyRects, copies);
    }
}
