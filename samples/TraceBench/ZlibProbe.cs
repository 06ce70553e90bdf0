using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Rfb.Encodings;

namespace TraceBench;

/// <summary>
/// The resident memory of one zlib deflate stream as the server's encoders create them
/// (<see cref="ZLibStream"/> with a compression level), measured in a process of its own:
/// <c>TraceBench zlib-probe LEVEL COUNT</c> creates COUNT streams, feeds each 256 KiB of
/// pseudo-random bytes (so that every page of its window, hash table and pending buffer is
/// touched), and prints the growth of its resident size and of its managed heap per stream.
/// </summary>
internal static class ZlibProbe
{
    public const string Command = "zlib-probe";

    private const int Streams = 32;
    private const int Input = 256 * 1024;

    /// <summary>Persistent zlib streams one session keeps for <paramref name="encoding"/> (the most it may use).</summary>
    public static int StreamsPerSession(int encoding) => encoding switch
    {
        EncodingType.Tight => 4,
        EncodingType.Zlib or EncodingType.Zrle => 1,
        _ => 0,
    };

    /// <summary>Runs the probe in a child process and returns the resident bytes per stream.</summary>
    public static double ResidentBytesPerStream(int level)
    {
        string dll = typeof(ZlibProbe).Assembly.Location;
        string apphost = Path.ChangeExtension(dll, null);
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (File.Exists(apphost))
        {
            info.FileName = apphost;
        }
        else
        {
            info.FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            info.ArgumentList.Add(dll);
        }

        foreach (string a in new[] { Command, level.ToString(CultureInfo.InvariantCulture), Streams.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("The zlib probe did not start.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The zlib probe failed: {stderr.Result}");
        }

        return double.Parse(output.Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>The child's side: prints "RESIDENT_BYTES_PER_STREAM MANAGED_BYTES_PER_STREAM".</summary>
    public static int Run(string[] args)
    {
        int level = int.Parse(args[1], CultureInfo.InvariantCulture);
        int count = int.Parse(args[2], CultureInfo.InvariantCulture);
        byte[] data = new byte[Input];
        new Random(7).NextBytes(data);

        // One stream first, so that the native library, the JIT's code and the pools are in place.
        using (var warm = new ZLibStream(Stream.Null, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            warm.Write(data);
            warm.Flush();
        }

        MemorySnapshot before = MemorySnapshot.Take();
        var streams = new ZLibStream[count];
        for (int i = 0; i < count; i++)
        {
            streams[i] = new ZLibStream(Stream.Null, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true);
            streams[i].Write(data);
            streams[i].Flush();
        }

        MemorySnapshot after = MemorySnapshot.Take();
        Console.Out.WriteLine(FormattableString.Invariant(
            $"{(after.ResidentBytes - before.ResidentBytes) / (double)count:0} {(after.ManagedBytes - before.ManagedBytes) / (double)count:0}"));
        GC.KeepAlive(streams);
        foreach (ZLibStream s in streams)
        {
            s.Dispose();
        }

        return 0;
    }
}
