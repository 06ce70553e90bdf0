using TraceBench;

namespace Rfb.Tests.TraceBench;

public sealed class MemoryReportTests
{
    private static BenchResult Result(int clients, double resident, double managed, double zlib) => new()
    {
        Trace = "t",
        Server = "rfb",
        Clients = clients,
        MemoryPerClientMb = resident,
        ManagedMemoryPerClientMb = managed,
        ZlibMemoryPerClientMb = zlib,
    };

    [Fact]
    public void MemoryLine_OneClient_JudgesTheManagedHeapOnlyAndSaysSo()
    {
        // One client's resident growth (here 1.8 MiB, 1.46 beyond zlib) is within the process's noise.
        string line = Report.MemoryLine(Result(1, resident: 1.8, managed: 0.02, zlib: 0.34));

        Assert.Contains("beyond the zlib streams 0.020 MiB", line);
        Assert.Contains("target of at most 1 MiB met on the managed heap", line);
        Assert.Contains("not judged with fewer than 8 clients", line);
    }

    [Fact]
    public void MemoryLine_OneClientOverOnTheManagedHeap_IsOver()
    {
        string line = Report.MemoryLine(Result(1, resident: 0.5, managed: 1.5, zlib: 0.34));

        Assert.Contains("over the 1 MiB target on the managed heap", line);
    }

    [Theory]
    [InlineData(1.6, 0.02, "beyond the zlib streams 1.260 MiB (over the 1 MiB target)")]
    [InlineData(0.9, 0.02, "beyond the zlib streams 0.560 MiB (target of at most 1 MiB met)")]
    [InlineData(0.3, 1.2, "beyond the zlib streams 1.200 MiB (over the 1 MiB target)")]
    public void MemoryLine_EightClients_JudgesTheLargerOfManagedAndResidentBeyondZlib(double resident, double managed, string expected)
    {
        string line = Report.MemoryLine(Result(8, resident, managed, zlib: 0.34));

        Assert.EndsWith(expected, line);
    }
}
