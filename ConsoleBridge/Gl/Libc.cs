using System.Runtime.InteropServices;

namespace ConsoleBridge.Gl;

/// <summary>The two file-descriptor calls the dma-buf path needs.</summary>
internal static partial class Libc
{
    private const int FDupFdCloexec = 1030;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    /// <summary>A close-on-exec duplicate of <paramref name="fd"/>, or -1 with the errno in <paramref name="errno"/>.</summary>
    public static int Duplicate(int fd, out int errno)
    {
        int copy = Fcntl(fd, FDupFdCloexec, 0);
        errno = copy < 0 ? Marshal.GetLastPInvokeError() : 0;
        return copy;
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            CloseNative(fd);
        }
    }
}
