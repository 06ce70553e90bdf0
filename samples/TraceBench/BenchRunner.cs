using System.Diagnostics;
using Rfb.Recording;
using TraceBench.Client;
using TraceBench.Servers;

namespace TraceBench;

/// <summary>Replays one loaded trace into one server with the measuring client on the other end.</summary>
internal static class BenchRunner
{
    /// <summary>
    /// How long the client must stay silent after the last update before the run counts as done:
    /// longer than the 300 ms after which this server refreshes JPEG areas losslessly on an idle
    /// link (<c>RfbServerOptions.LosslessRefreshDelay</c>), so that the final frame is the one a
    /// viewer would keep.
    /// </summary>
    internal static readonly TimeSpan QuietAtEnd = TimeSpan.FromSeconds(1);

    /// <summary>How long lock-step waits for the update that carries a replayed one.</summary>
    private static readonly TimeSpan s_stepTimeout = TimeSpan.FromSeconds(2);

    public static async Task<BenchResult> RunAsync(LoadedTrace trace, IBenchServer server, BenchOptions options, TextWriter? progress, CancellationToken cancellationToken)
    {
        string dump = Path.Combine(Path.GetTempPath(), $"tracebench-{Environment.ProcessId}-{server.Name}-{Guid.NewGuid():N}.fb");
        int port = await server.StartAsync(trace, cancellationToken).ConfigureAwait(false);
        int[] encodings = MeasuringClient.Announced(options.Encoding, options.Quality, options.Compress);
        using ClientProcess client = ClientProcess.Start(port, encodings, dump);
        try
        {
            await client.WaitReadyAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            client.DrainPending();
            IReadOnlyList<int> pids = server.ServerProcessIds;
            if (options.Threads > 0)
            {
                CpuAffinity.Limit(client.ProcessId, 0);
                foreach (int pid in pids)
                {
                    CpuAffinity.Limit(pid, options.Threads);
                }
            }

            foreach (int pid in pids)
            {
                ProcStats.ResetPeak(pid);
            }

            long rssBefore = ProcStats.StatusKiB(server.MemoryProcessId, "VmRSS");
            TimeSpan cpuBefore = CpuTime(pids);
            var applied = new AppliedUpdate[trace.Updates.Count];
            long started = Stopwatch.GetTimestamp();
            long lastProgress = started;
            uint firstTimestamp = trace.Updates[0].TimestampMs;
            int stalls = 0;
            long stallTicks = 0;
            for (int i = 0; i < trace.Updates.Count; i++)
            {
                if (options.Pace == Pace.Recorded)
                {
                    TimeSpan due = TimeSpan.FromMilliseconds(trace.Updates[i].TimestampMs - firstTimestamp) - Stopwatch.GetElapsedTime(started);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    client.DrainPending();
                }

                applied[i] = await server.ApplyAsync(i, cancellationToken).ConfigureAwait(false);
                long waitStarted = Stopwatch.GetTimestamp();
                if (options.Pace == Pace.Max && applied[i].Changed
                    && await client.NextUpdateAsync(s_stepTimeout, cancellationToken).ConfigureAwait(false) is null)
                {
                    // A server that sends nothing for an update that changed nothing it can see is
                    // not charged the time spent waiting for it.
                    stalls++;
                    stallTicks += Stopwatch.GetTimestamp() - waitStarted;
                }

                if (progress is not null && Stopwatch.GetElapsedTime(lastProgress) > TimeSpan.FromSeconds(1))
                {
                    lastProgress = Stopwatch.GetTimestamp();
                    progress.WriteLine($"  {trace.Name} on {server.Name}: {i + 1}/{trace.Updates.Count} updates, {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
                }
            }

            // Wait until the client has been quiet for a while: the last update has arrived.
            int count = client.Received.Count;
            long deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(QuietAtEnd, cancellationToken).ConfigureAwait(false);
                int now = client.Received.Count;
                if (now == count)
                {
                    break;
                }

                count = now;
            }

            TimeSpan cpu = CpuTime(pids) - cpuBefore;
            long peak = ProcStats.StatusKiB(server.MemoryProcessId, "VmHWM");
            (long skipped, int firstSkipped, long jpeg) = await client.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            List<UpdateRecord> received = client.Received;
            if (received.Count == 0)
            {
                throw new InvalidOperationException($"{server.Name} sent no update while {trace.Name} was replayed. {client.Stderr()}");
            }

            string finalFrame;
            bool matches = false;
            double psnr = double.NaN;
            if (!File.Exists(dump))
            {
                finalFrame = "no framebuffer from the client";
            }
            else
            {
                TraceFramebuffer actual = ClientCommand.ReadDump(dump);
                string? path = options.FinalFrameFor(trace.Name);
                if (path is not null && server.Name == "rfb")
                {
                    PngWriter.Write(path, actual);
                }

                TraceFramebuffer expected = trace.FinalFrame();
                int differing = Differing(expected, actual);
                matches = differing == 0;
                psnr = differing > 0 ? Psnr(expected, actual) : double.PositiveInfinity;
                string jpegNote = jpeg > 0 ? FormattableString.Invariant($" ({jpeg} JPEG rectangles)") : "";
                finalFrame = skipped > 0
                    ? $"not checked: {skipped} rectangles in encoding {EncodingNames.Name(firstSkipped)} were skipped, not decoded"
                    : matches ? "match" + jpegNote
                    : differing < 0 ? "different size"
                    : FormattableString.Invariant($"{differing} pixels differ, PSNR {psnr:0.0} dB{jpegNote}");
                File.Delete(dump);
            }

            int[] match = server.MatchUpdates(applied, received) ?? MatchByTime(applied, received);

            // Wall time ends with the update that carried the last replayed one, not with a
            // lossless refresh sent once the link went idle.
            long lastByte = 0;
            for (int i = 0; i < applied.Length; i++)
            {
                if (match[i] >= 0)
                {
                    lastByte = Math.Max(lastByte, received[match[i]].LastByteTicks);
                }
            }

            if (lastByte == 0)
            {
                lastByte = received[^1].LastByteTicks;
            }

            double seconds = Math.Max(1e-9, (lastByte - applied[0].StartTicks - stallTicks) / (double)Stopwatch.Frequency);
            var latencies = new List<double>();
            for (int i = 0; i < applied.Length; i++)
            {
                if (applied[i].Changed && match[i] >= 0)
                {
                    latencies.Add((received[match[i]].LastByteTicks - applied[i].StartTicks) * 1000.0 / Stopwatch.Frequency);
                }
            }

            latencies.Sort();
            if (stalls > 0)
            {
                progress?.WriteLine($"  {trace.Name} on {server.Name}: {stalls} replayed updates brought no update within {s_stepTimeout.TotalSeconds:0} s");
            }

            return new BenchResult
            {
                Trace = trace.Name,
                Server = server.Name,
                Updates = trace.Updates.Count,
                MpxDamaged = trace.DamagedPixels / 1e6,
                MpxSent = received.Sum(r => r.PixelsSent) / 1e6,
                Bytes = received.Sum(r => r.Bytes),
                RawBytes = received.Sum(r => r.RawBytes),
                CpuMsPerUpdate = cpu.TotalMilliseconds / trace.Updates.Count,
                MpxPerS = trace.DamagedPixels / 1e6 / seconds,
                LatencyP50Ms = Percentile(latencies, 0.50),
                LatencyP99Ms = Percentile(latencies, 0.99),
                PeakMemoryMb = Math.Max(0, peak - rssBefore) / 1024.0,
                FinalFrame = finalFrame,
                FinalFrameMatches = matches,
                FinalFramePsnrDb = psnr,
            };
        }
        finally
        {
            File.Delete(dump);
            if (options.Threads > 0)
            {
                CpuAffinity.Limit(Environment.ProcessId, 0);
            }
        }
    }

    /// <summary>
    /// Without help from the server, a replayed update is taken to arrive in the first update whose
    /// first byte came after the server could see it. An update built just before that and still
    /// on its way would be counted instead, so this can only make a latency look shorter.
    /// </summary>
    internal static int[] MatchByTime(IReadOnlyList<AppliedUpdate> applied, IReadOnlyList<UpdateRecord> received)
    {
        var match = new int[applied.Count];
        int j = 0;
        for (int i = 0; i < applied.Count; i++)
        {
            while (j < received.Count && received[j].FirstByteTicks <= applied[i].VisibleTicks)
            {
                j++;
            }

            match[i] = j < received.Count ? j : -1;
        }

        return match;
    }

    /// <summary>The nearest-rank percentile of sorted values; 0 when there are none.</summary>
    internal static double Percentile(List<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        int rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Pixels whose RGB differs (the unused top byte is ignored); -1 when the sizes differ.</summary>
    internal static int Differing(TraceFramebuffer expected, TraceFramebuffer actual)
    {
        if (expected.Width != actual.Width || expected.Height != actual.Height)
        {
            return -1;
        }

        int n = 0;
        for (int y = 0; y < expected.Height; y++)
        {
            for (int x = 0; x < expected.Width; x++)
            {
                if (((expected.GetPixel(x, y) ^ actual.GetPixel(x, y)) & 0x00FFFFFF) != 0)
                {
                    n++;
                }
            }
        }

        return n;
    }

    /// <summary>Peak signal-to-noise ratio over the red, green and blue samples, in dB (infinite when equal).</summary>
    internal static double Psnr(TraceFramebuffer expected, TraceFramebuffer actual)
    {
        double sum = 0;
        for (int y = 0; y < expected.Height; y++)
        {
            for (int x = 0; x < expected.Width; x++)
            {
                uint e = expected.GetPixel(x, y), a = actual.GetPixel(x, y);
                for (int shift = 0; shift < 24; shift += 8)
                {
                    int d = (int)((e >> shift) & 0xFF) - (int)((a >> shift) & 0xFF);
                    sum += d * d;
                }
            }
        }

        double mse = sum / (3.0 * expected.Width * expected.Height);
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    private static TimeSpan CpuTime(IReadOnlyList<int> pids)
    {
        TimeSpan total = TimeSpan.Zero;
        foreach (int pid in pids)
        {
            total += ProcStats.CpuTime(pid);
        }

        return total;
    }
}
