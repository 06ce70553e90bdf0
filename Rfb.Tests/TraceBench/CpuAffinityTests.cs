using System.Diagnostics;
using TraceBench;

namespace Rfb.Tests.TraceBench;

/// <summary>--threads N: the kernel's view of a process's allowed CPUs after the bench limits it.</summary>
public sealed class CpuAffinityTests
{
    [Fact]
    public async Task Limit_OneCpuThenNone_KernelReportsFirstCpuThenAllAgain()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            string before = AllowedList(child.Id);
            CpuAffinity.Limit(child.Id, 1);
            Assert.Equal(CpuAffinity.Describe(1), AllowedList(child.Id));
            CpuAffinity.Limit(child.Id, 0);
            Assert.Equal(before, AllowedList(child.Id));
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public void Parse_ThreadsDefault_IsNoLimit()
    {
        Assert.Equal(0, BenchOptions.Parse(["a.fbs"]).Threads);
    }

    // "Cpus_allowed_list: 0-1" or "0,2"; single CPUs are written as the number alone.
    private static string AllowedList(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        string value = line["Cpus_allowed_list:".Length..].Trim();
        var cpus = new List<int>();
        foreach (string part in value.Split(','))
        {
            string[] range = part.Split('-');
            int first = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
            int last = range.Length > 1 ? int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) : first;
            for (int c = first; c <= last; c++)
            {
                cpus.Add(c);
            }
        }

        return string.Join(",", cpus);
    }
}
