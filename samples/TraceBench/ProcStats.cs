using System.Globalization;

namespace TraceBench;

/// <summary>CPU time and memory of a process from Linux's <c>/proc</c>.</summary>
internal static class ProcStats
{
    private static readonly double s_ticksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User plus system CPU time.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name, which is in parentheses and may hold spaces.
        string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(f[11], CultureInfo.InvariantCulture);
        long stime = long.Parse(f[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((utime + stime) / s_ticksPerSecond);
    }

    /// <summary>A field of <c>/proc/PID/status</c> in KiB (VmRSS, VmHWM).</summary>
    public static long StatusKiB(int pid, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Resets the peak resident size (VmHWM) to the current one; false where the kernel refuses.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
