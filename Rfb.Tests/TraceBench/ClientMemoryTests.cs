using System.Text.Json;
using Rfb.Tests.Recording;
using TraceBench;

namespace Rfb.Tests.TraceBench;

/// <summary>
/// <c>--clients</c>: the managed heap this server keeps per connected client stays under 1 MiB
/// (the target is at most 1 MiB beyond the zlib streams, whose state is native, so none
/// of it is on the managed heap). A memory check, not a timing: it holds however busy the machine is.
/// The bench measures its own process, so the test runs alone (<see cref="AloneCollection"/>).
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ClientMemoryTests : IDisposable
{
    private const double Mib = 1.0;

    private readonly string _dir = Directory.CreateTempSubdirectory("tracebench-memory-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("tight", "8", "2", 4)]
    [InlineData("zrle", "-", "-", 1)]
    public async Task Run_EightClients_ManagedMemoryPerClientBelowOneMiB(string encoding, string quality, string compress, int zlibStreams)
    {
        string trace = TracePaths.TestData(TracePaths.XtermFirst30);
        string json = Path.Combine(_dir, "out.json");
        var args = new List<string> { trace, "--pace", "max", "--encoding", encoding, "--clients", "8", "--json", json };
        if (quality != "-")
        {
            args.AddRange(["--quality", quality, "--compress", compress]);
        }

        var output = new StringWriter();
        var progress = new StringWriter();
        IReadOnlyList<BenchResult> results = await Bench.RunAsync(BenchOptions.Parse(args), output, progress, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(240));

        // Every client saw the whole trace (each was sent full updates in the chosen encoding),
        // and all eight final frames match the trace's.
        BenchResult r = Assert.Single(results);
        Assert.StartsWith("match", r.FinalFrame, StringComparison.Ordinal);
        Assert.Contains("the final frame of 7 of the 7 other clients matches", progress.ToString());
        Assert.Equal(8, r.Clients);

        // A session holds something (its state, its encoder), so a measurement of nothing is
        // caught, and less than 1 MiB of managed heap. A ZRLE session holds about 9 KiB: its
        // encoder's buffers are rented from shared pools for each call.
        Assert.True(r.ManagedMemoryPerClientMb > 0.001 && r.ManagedMemoryPerClientMb < Mib,
            $"{encoding}: {r.ManagedMemoryPerClientMb:0.000} MiB of managed heap per client\n{output}");

        // The zlib share is the bare streams' resident size: at least zlib's own figure for a
        // deflate stream at windowBits 15, memLevel 8, (1 << 17) + (1 << 17) bytes (zlib.h), per stream.
        Assert.True(r.ZlibMemoryPerClientMb * 1024 * 1024 >= zlibStreams * 0.9 * 262_144, $"{encoding}: zlib share {r.ZlibMemoryPerClientMb:0.000} MiB");
        Assert.Contains("MiB managed heap", output.ToString());

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement item = Assert.Single(doc.RootElement.EnumerateArray().ToArray());
        Assert.Equal(8, item.GetProperty("clients").GetInt32());
        Assert.Equal(Math.Round(r.MemoryPerClientMb, 3), item.GetProperty("memory_per_client_mb").GetDouble());
        Assert.Equal(Math.Round(r.ManagedMemoryPerClientMb, 3), item.GetProperty("managed_memory_per_client_mb").GetDouble());
    }
}
