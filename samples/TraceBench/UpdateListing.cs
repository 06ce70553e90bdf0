using System.Diagnostics;
using System.Globalization;
using TraceBench.Client;
using TraceBench.Servers;

namespace TraceBench;

/// <summary>
/// <c>--updates DIR</c>: for every trace and server, a tab-separated file
/// (<see cref="PathFor"/>) with one line per replayed update that enters the latency figures
/// (it changed the frame and an update of the server carried it), so that the updates behind a
/// tail can be looked at (when they came, how large they were, whether the first byte was already
/// late) without instrumenting any server. Taking the p50 and p99 of its <c>last_byte_ms</c>
/// column as the table does (<see cref="BenchRunner.Percentile"/>) gives the table's figures.
/// </summary>
/// <remarks>
/// Columns: <c>update</c>, the replayed update's index in the trace; <c>applied_ms</c>, when its
/// replay began, from the start of the first one's; <c>first_byte_ms</c> and <c>last_byte_ms</c>,
/// from the start of its replay to the first and last byte of the server's update that carried
/// it; <c>server_update</c>, that update's index among those the client read (a server that
/// merged several replayed updates into one appears on each of their lines with the same index);
/// <c>bytes</c>, <c>rectangles</c> and <c>pixels_sent</c> of that update; <c>applied_monotonic_s</c>,
/// when its replay began on the system's monotonic clock in seconds (what
/// <see cref="Stopwatch"/> reads on Linux, and what <c>perf record -k CLOCK_MONOTONIC</c> stamps
/// its samples with), to line updates up with a system-wide trace.
/// </remarks>
internal static class UpdateListing
{
    public const string Header = "update\tapplied_ms\tfirst_byte_ms\tlast_byte_ms\tserver_update\tbytes\trectangles\tpixels_sent\tapplied_monotonic_s";

    /// <summary>DIRECTORY/TRACE-SERVER.tsv.</summary>
    public static string PathFor(string directory, string trace, string server) => Path.Combine(directory, $"{trace}-{server}.tsv");

    /// <summary>Writes the listing; <paramref name="match"/>[i] is the index in <paramref name="received"/> of the update that carried applied update i, or -1.</summary>
    public static void Write(string path, IReadOnlyList<AppliedUpdate> applied, IReadOnlyList<UpdateRecord> received, IReadOnlyList<int> match)
    {
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var writer = new StreamWriter(path);
        writer.WriteLine(Header);
        if (applied.Count == 0)
        {
            return;
        }

        double ms = 1000.0 / Stopwatch.Frequency;
        long origin = applied[0].StartTicks;
        for (int i = 0; i < applied.Count; i++)
        {
            if (!BenchRunner.InLatencyFigures(applied[i], match[i]))
            {
                continue;
            }

            UpdateRecord r = received[match[i]];
            long start = applied[i].StartTicks;
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{i}\t{(start - origin) * ms:0.000}\t{(r.FirstByteTicks - start) * ms:0.000}\t{(r.LastByteTicks - start) * ms:0.000}\t{match[i]}\t{r.Bytes}\t{r.Rectangles}\t{r.PixelsSent}\t{start / (double)Stopwatch.Frequency:0.000000}"));
        }
    }
}
