using System.Runtime.InteropServices;

namespace TraceBench;

/// <summary>
/// The bench process's managed heap and resident size, taken after a full, compacting, aggressive
/// collection (which also gives freed heap memory back to the system) and after glibc's
/// <c>malloc_trim</c> (which gives back freed native memory, such as zlib's), so that two snapshots
/// differ by what is held between them rather than by what the allocators kept cached.
/// </summary>
internal readonly record struct MemorySnapshot(long ManagedBytes, long ResidentBytes)
{
    public static MemorySnapshot Take()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        long managed = GC.GetTotalMemory(forceFullCollection: true);
        try
        {
            _ = NativeMethods.MallocTrim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the resident figure may keep freed native memory.
        }

        return new MemorySnapshot(managed, ProcStats.StatusKiB(Environment.ProcessId, "VmRSS") * 1024);
    }

    private static class NativeMethods
    {
        [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
        public static extern int MallocTrim(nuint pad);
    }
}
