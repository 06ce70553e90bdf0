using System.Security.Cryptography;
using Rfb.Recording;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Rfb.Tests.Recording;

/// <summary>
/// The committed test traces are cuts of the shared full traces; these tests redo the cut and
/// check that it gives the committed bytes. With <c>RFB_WRITE_TEST_TRACES</c> set to a folder
/// they also write the compressed cuts there (see docs/test-data.md).
/// </summary>
public sealed class TraceCutterTests
{
    [Theory]
    [InlineData("xterm_scroll.fbs.zst", 30, TracePaths.XtermFirst30)]
    [InlineData("xterm_scroll_paced.fbs.zst", 40, TracePaths.PacedFirst40)]
    public void CutFirstUpdates_SharedTrace_ReproducesCommittedTrace(string source, int updates, string committed)
    {
        string? sourcePath = TracePaths.Shared(source);
        if (sourcePath is null)
        {
            Assert.Skip($"The full trace shared/traces/{source} is not present.");
        }

        string? outputFolder = Environment.GetEnvironmentVariable("RFB_WRITE_TEST_TRACES");
        if (!string.IsNullOrEmpty(outputFolder))
        {
            using var reader = new FbsReader(sourcePath);
            using var writer = new FbsWriter(File.Create(Path.Combine(outputFolder, committed)), compress: true);
            TraceCutter.CutFirstUpdates(reader, writer, updates);
        }

        byte[] cutHash;
        using (var sha = SHA256.Create())
        {
            using (var hashing = new CryptoStream(Stream.Null, sha, CryptoStreamMode.Write))
            using (var reader = new FbsReader(sourcePath))
            using (var writer = new FbsWriter(hashing, compress: false, leaveOpen: true))
            {
                TraceCutter.CutFirstUpdates(reader, writer, updates);
                writer.Dispose();
                hashing.FlushFinalBlock();
            }

            cutHash = sha.Hash!;
        }

        byte[] committedHash;
        using (FileStream file = File.OpenRead(TracePaths.TestData(committed)))
        using (var zstd = new DecompressionStream(file))
        {
            zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, 27);
            committedHash = SHA256.HashData(zstd);
        }

        Assert.True(
            cutHash.AsSpan().SequenceEqual(committedHash),
            $"Cutting {updates} updates from {source} no longer gives the committed {committed}; see docs/test-data.md.");
    }
}
