using System.Globalization;
using System.Text.Json;

namespace TraceBench;

/// <summary>The table, the ratios to the peers, and the JSON file.</summary>
internal static class Report
{
    public static void WriteTable(TextWriter output, IReadOnlyList<BenchResult> results)
    {
        string header = string.Format(CultureInfo.InvariantCulture, "{0,-28} {1,-13} {2,7} {3,9} {4,9} {5,13} {6,7} {7,9} {8,8} {9,8} {10,8} {11,8} {12,8}  {13}",
            "trace", "server", "updates", "Mpx dmg", "Mpx sent", "bytes", "/Raw", "CPU ms/u", "Mpx/s", "p50 ms", "p99 ms", "peak MB", "MB/clnt", "final frame");
        output.WriteLine(header);
        output.WriteLine(new string('-', header.Length));
        foreach (BenchResult r in results)
        {
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-28} {1,-13} {2,7} {3,9:0.0} {4,9:0.0} {5,13:N0} {6,7:0.000} {7,9:0.00} {8,8:0.0} {9,8:0.0} {10,8:0.0} {11,8:0.0} {12,8}  {13}",
                r.Trace, r.Server, r.Updates, r.MpxDamaged, r.MpxSent, r.Bytes, r.RatioToRaw, r.CpuMsPerUpdate, r.MpxPerS, r.LatencyP50Ms, r.LatencyP99Ms, r.PeakMemoryMb,
                double.IsFinite(r.MemoryPerClientMb) ? r.MemoryPerClientMb.ToString("0.00", CultureInfo.InvariantCulture) : "-", r.FinalFrame));
        }
    }

    /// <summary>
    /// The fewest clients for which the resident growth per client is judged against the target:
    /// with fewer, it is within the process's own noise (it has come out between −1.2 and +1.4 MiB
    /// for one ZRLE or Tight client on the same trace), so only the managed heap is judged.
    /// </summary>
    public const int MinClientsForResidentVerdict = 8;

    /// <summary>
    /// Per trace, this server's memory per connected client: resident, of it the managed heap,
    /// and the native memory of its zlib streams, against the target of at most 1 MiB beyond the
    /// zlib streams.
    /// </summary>
    public static void WriteMemory(TextWriter output, IReadOnlyList<BenchResult> results)
    {
        foreach (BenchResult r in results.Where(r => double.IsFinite(r.MemoryPerClientMb)))
        {
            output.WriteLine(MemoryLine(r));
        }
    }

    /// <summary>One trace's line of <see cref="WriteMemory"/>.</summary>
    public static string MemoryLine(BenchResult r)
    {
        // The managed heap holds nothing of zlib's (its state is native), so all of it is beyond
        // the zlib streams; the resident growth less the zlib streams' bound can only say more,
        // once there are enough clients for it to stand out of the noise.
        bool residentJudged = r.Clients >= MinClientsForResidentVerdict;
        double beyond = residentJudged ? Math.Max(r.ManagedMemoryPerClientMb, r.MemoryPerClientMb - r.ZlibMemoryPerClientMb) : r.ManagedMemoryPerClientMb;
        string verdict = beyond <= 1 ? "target of at most 1 MiB met" : "over the 1 MiB target";
        if (!residentJudged)
        {
            verdict += FormattableString.Invariant($" on the managed heap; the resident figure is not judged with fewer than {MinClientsForResidentVerdict} clients (--clients)");
        }

        return string.Format(CultureInfo.InvariantCulture,
            "{0}: {1} with {2} client(s): per client {3:0.000} MiB resident, {4:0.000} MiB managed heap, zlib streams at most {5:0.000} MiB; beyond the zlib streams {6:0.000} MiB ({7})",
            r.Trace, r.Server, r.Clients, r.MemoryPerClientMb, r.ManagedMemoryPerClientMb, r.ZlibMemoryPerClientMb, beyond, verdict);
    }

    /// <summary>
    /// Per trace: each of our figures as a ratio to each peer's (below 1 is better for bytes, CPU,
    /// latency and memory; above 1 for Mpx/s), and the best peer per figure.
    /// </summary>
    public static void WriteRatios(TextWriter output, IReadOnlyList<BenchResult> results)
    {
        foreach (IGrouping<string, BenchResult> trace in results.GroupBy(r => r.Trace))
        {
            BenchResult? ours = trace.FirstOrDefault(r => r.Server == "rfb");
            List<BenchResult> peers = trace.Where(r => r.Server != "rfb").ToList();
            if (ours is null || peers.Count == 0)
            {
                continue;
            }

            output.WriteLine();
            output.WriteLine($"{trace.Key}: rfb as a ratio to each peer (bytes, CPU, latency, memory: lower is better; Mpx/s: higher is better)");
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "  {0,-13} {1,8} {2,9} {3,8} {4,8} {5,8} {6,8}", "peer", "bytes", "CPU/upd", "Mpx/s", "p50", "p99", "memory"));
            foreach (BenchResult p in peers)
            {
                output.WriteLine(string.Format(CultureInfo.InvariantCulture, "  {0,-13} {1,8} {2,9} {3,8} {4,8} {5,8} {6,8}",
                    p.Server, Ratio(ours.Bytes, p.Bytes), Ratio(ours.CpuMsPerUpdate, p.CpuMsPerUpdate), Ratio(ours.MpxPerS, p.MpxPerS),
                    Ratio(ours.LatencyP50Ms, p.LatencyP50Ms), Ratio(ours.LatencyP99Ms, p.LatencyP99Ms), Ratio(ours.PeakMemoryMb, p.PeakMemoryMb)));
            }

            output.WriteLine($"  best peer: bytes {Best(peers, r => r.Bytes, false)}, CPU {Best(peers, r => r.CpuMsPerUpdate, false)}, Mpx/s {Best(peers, r => r.MpxPerS, true)}, p99 {Best(peers, r => r.LatencyP99Ms, false)}, memory {Best(peers, r => r.PeakMemoryMb, false)}");
        }
    }

    public static void WriteJson(string path, IReadOnlyList<BenchResult> results)
    {
        using var file = File.Create(path);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (BenchResult r in results)
        {
            json.WriteStartObject();
            json.WriteString("trace", r.Trace);
            json.WriteString("server", r.Server);
            json.WriteNumber("updates", r.Updates);
            json.WriteNumber("mpx_damaged", Math.Round(r.MpxDamaged, 3));
            json.WriteNumber("mpx_sent", Math.Round(r.MpxSent, 3));
            json.WriteNumber("bytes", r.Bytes);
            json.WriteNumber("cpu_ms_per_update", Math.Round(r.CpuMsPerUpdate, 3));
            json.WriteNumber("mpx_per_s", Math.Round(r.MpxPerS, 3));
            json.WriteNumber("latency_p50_ms", Math.Round(r.LatencyP50Ms, 3));
            json.WriteNumber("latency_p99_ms", Math.Round(r.LatencyP99Ms, 3));
            json.WriteNumber("peak_memory_mb", Math.Round(r.PeakMemoryMb, 3));
            json.WriteNumber("clients", r.Clients);
            Number(json, "memory_per_client_mb", r.MemoryPerClientMb);
            Number(json, "managed_memory_per_client_mb", r.ManagedMemoryPerClientMb);
            Number(json, "zlib_memory_per_client_mb", r.ZlibMemoryPerClientMb);
            json.WriteString("final_frame", r.FinalFrame);
            if (double.IsFinite(r.FinalFramePsnrDb))
            {
                json.WriteNumber("final_frame_psnr_db", Math.Round(r.FinalFramePsnrDb, 2));
            }
            else
            {
                json.WriteNull("final_frame_psnr_db");
            }
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, Math.Round(value, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Ratio(double ours, double peer) =>
        peer <= 0 ? "-" : (ours / peer).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Best(List<BenchResult> peers, Func<BenchResult, double> figure, bool higherIsBetter)
    {
        BenchResult best = higherIsBetter ? peers.MaxBy(figure)! : peers.MinBy(figure)!;
        return best.Server;
    }
}
