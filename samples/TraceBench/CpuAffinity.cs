using System.Globalization;
using System.Runtime.InteropServices;

namespace TraceBench;

/// <summary>
/// <c>--threads N</c>: the server's processes (every thread of each) are limited to N CPUs with
/// Linux's <c>sched_setaffinity</c>, the first N of those the bench was started on. Threads
/// created later inherit the mask of the thread that creates them. The measuring client keeps
/// every CPU the bench had.
/// </summary>
internal static partial class CpuAffinity
{
    private const int MaskWords = 16; // 1024 CPUs, glibc's cpu_set_t
    private static readonly ulong[] s_original = Current();

    /// <summary>The CPUs the bench process had when it started.</summary>
    public static int OriginalCount
    {
        get
        {
            int n = 0;
            foreach (ulong w in s_original)
            {
                n += System.Numerics.BitOperations.PopCount(w);
            }

            return n;
        }
    }

    /// <summary>Limits every thread of <paramref name="pid"/> to the first <paramref name="cpus"/> CPUs the bench had; 0 gives them all back.</summary>
    public static void Limit(int pid, int cpus)
    {
        ulong[] mask = cpus <= 0 ? s_original : FirstOf(s_original, cpus);
        string tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return;
        }

        foreach (string task in Directory.EnumerateDirectories(tasks))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
            {
                Set(tid, mask); // a thread that ended meanwhile is ignored
            }
        }
    }

    /// <summary>The CPU numbers of the first <paramref name="cpus"/> the bench had, for messages.</summary>
    public static string Describe(int cpus)
    {
        ulong[] mask = FirstOf(s_original, cpus);
        var list = new List<int>();
        for (int i = 0; i < MaskWords * 64; i++)
        {
            if ((mask[i / 64] & (1UL << (i % 64))) != 0)
            {
                list.Add(i);
            }
        }

        return string.Join(",", list);
    }

    private static ulong[] FirstOf(ulong[] mask, int count)
    {
        var result = new ulong[MaskWords];
        for (int i = 0; i < MaskWords * 64 && count > 0; i++)
        {
            if ((mask[i / 64] & (1UL << (i % 64))) != 0)
            {
                result[i / 64] |= 1UL << (i % 64);
                count--;
            }
        }

        return result;
    }

    private static unsafe ulong[] Current()
    {
        var mask = new ulong[MaskWords];
        fixed (ulong* m = mask)
        {
            if (SchedGetAffinity(0, (nuint)(MaskWords * 8), m) != 0)
            {
                Array.Fill(mask, ulong.MaxValue);
            }
        }

        return mask;
    }

    private static unsafe bool Set(int tid, ulong[] mask)
    {
        fixed (ulong* m = mask)
        {
            return SchedSetAffinity(tid, (nuint)(MaskWords * 8), m) == 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static unsafe partial int SchedGetAffinity(int pid, nuint size, ulong* mask);
}
