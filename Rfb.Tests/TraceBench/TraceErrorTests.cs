using Rfb.Recording;
using Rfb.Tests.Recording;
using TraceBench;

namespace Rfb.Tests.TraceBench;

/// <summary>What the bench says about traces it cannot replay: the file's name and the reason.</summary>
public sealed class TraceErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tracebench-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_TruncatedFile_FailsNamingFileAndBlock()
    {
        byte[] fbs = GoldenSession.Fbs();
        string path = Write("truncated.fbs", fbs[..^3]);

        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => RunAsync(path));

        Assert.Equal(TraceFormatError.TruncatedBlock, ex.Error);
        Assert.StartsWith($"{path}: The FBS file ends inside the timestamp of the block at offset ", ex.Message);
    }

    [Fact]
    public async Task Run_BadHeader_FailsNamingFile()
    {
        string path = Write("bad.fbs", "FBS 002.000\n\0\0\0\0"u8.ToArray());

        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => RunAsync(path));

        Assert.Equal(TraceFormatError.BadHeader, ex.Error);
        Assert.Equal($"{path}: Not an FBS 001.000 file: expected the header \"FBS 001.000\\n\", found \"FBS 002.000.\".", ex.Message);
    }

    [Fact]
    public async Task Run_UnknownEncoding_FailsNamingFileAndEncoding()
    {
        // One update with one 1x1 rectangle in Tight (7), which a recording never holds.
        byte[] stream = GoldenSession.WithMessages(0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x00);
        using var file = new MemoryStream();
        using (var writer = new FbsWriter(file, compress: false, leaveOpen: true))
        {
            writer.WriteBlock(stream, 0);
        }

        string path = Write("tight.fbs", file.ToArray());

        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => RunAsync(path));

        Assert.Equal(TraceFormatError.UnknownEncoding, ex.Error);
        Assert.StartsWith($"{path}: ", ex.Message);
        Assert.Contains("7", ex.Message);
    }

    [Fact]
    public async Task Run_NoUpdates_FailsSayingSo()
    {
        using var file = new MemoryStream();
        using (var writer = new FbsWriter(file, compress: false, leaveOpen: true))
        {
            writer.WriteBlock(GoldenSession.Stream.AsSpan(0, GoldenSession.ServerInitEnd), 0);
        }

        string path = Write("empty.fbs", file.ToArray());

        var ex = await Assert.ThrowsAsync<TraceFormatException>(() => RunAsync(path));

        Assert.Equal($"{path}: The trace holds no FramebufferUpdate.", ex.Message);
    }

    [Fact]
    public async Task Run_MissingFile_FailsNamingIt()
    {
        string path = Path.Combine(_dir, "absent.fbs.zst");

        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => RunAsync(path));

        Assert.Equal($"{path}: no such file.", ex.Message);
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static Task RunAsync(string path) =>
        Bench.RunAsync(BenchOptions.Parse([path, "--pace", "max"]), TextWriter.Null, TextWriter.Null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
}
