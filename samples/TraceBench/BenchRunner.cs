using System.Diagnostics;
using System.Runtime;
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

        // With --clients N, this server gets N - 1 more clients, alike but not timed, each in a
        // process of its own; their sessions are what the memory per client is measured on.
        var ours = server as RfbBenchServer;
        var extras = new List<(ClientProcess Client, string Dump)>();
        try
        {
            await client.WaitReadyAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            for (int k = 1; ours is not null && k < options.Clients; k++)
            {
                string extraDump = Path.Combine(Path.GetTempPath(), $"tracebench-{Environment.ProcessId}-{server.Name}-{k}-{Guid.NewGuid():N}.fb");
                extras.Add((ClientProcess.Start(port, encodings, extraDump), extraDump));
            }

            foreach ((ClientProcess extra, _) in extras)
            {
                await extra.WaitReadyAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            }

            client.DrainPending();
            IReadOnlyList<int> pids = server.ServerProcessIds;
            if (options.Threads > 0)
            {
                CpuAffinity.Limit(client.ProcessId, 0);
                foreach ((ClientProcess extra, _) in extras)
                {
                    CpuAffinity.Limit(extra.ProcessId, 0);
                }

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

            // When the server is this library's, it shares the bench's process: the replay loop's
            // own work (pacing, waiting for the client, progress) and the reading of the clients'
            // reports run on threads of the bench's own and their CPU time is left out, as it is
            // for a peer, whose harness alone is counted. The replay into guest memory and the
            // console's refresh (ApplyAsync) stay counted, as a peer's harness's replay does.
            bool inBenchProcess = pids.Contains(Environment.ProcessId);
            var clients = new List<ClientProcess> { client };
            clients.AddRange(extras.Select(e => e.Client));
            // The trace's final frame, decoded independently of any server, is compared with the
            // client's at the end; decoding it now, before anything is timed, also compiles the
            // bench's own replay code (TraceFramebuffer.Apply), which the first replayed update
            // otherwise paid for (about 4 ms of JIT on this server's first update).
            TraceFramebuffer expected = trace.FinalFrame();
            SettleHeap();
            TimeSpan readersBefore = ReadersCpu(clients);
            TimeSpan cpuBefore = CpuTime(pids);
            Replay replay = await OnThreadAsync(() => ReplayAll(trace, server, clients, options, progress, cancellationToken)).ConfigureAwait(false);
            TimeSpan cpu = CpuTime(pids) - cpuBefore;
            if (inBenchProcess)
            {
                TimeSpan benchOwn = replay.LoopCpu - replay.ApplyCpu + (ReadersCpu(clients) - readersBefore);
                cpu -= benchOwn;
                progress?.WriteLine(FormattableString.Invariant(
                    $"  {trace.Name} on {server.Name}: the bench's own threads used {benchOwn.TotalMilliseconds / trace.Updates.Count:0.000} ms CPU per update, left out of the server's {cpu.TotalMilliseconds / trace.Updates.Count:0.000}"));
            }

            AppliedUpdate[] applied = replay.Applied;
            long stallTicks = replay.StallTicks;
            int stalls = replay.Stalls;
            long peak = ProcStats.StatusKiB(server.MemoryProcessId, "VmHWM");

            // Memory per client: the bench process with every client connected, then with none.
            MemorySnapshot connected = ours is not null ? MemorySnapshot.Take() : default;
            int extrasMatching = 0;
            foreach ((ClientProcess extra, string extraDump) in extras)
            {
                await extra.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                if (File.Exists(extraDump) && Differing(expected, ClientCommand.ReadDump(extraDump)) == 0)
                {
                    extrasMatching++;
                }
            }

            (long skipped, int firstSkipped, long jpeg) = await client.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            ClientMemory? memory = null;
            if (ours is not null)
            {
                if (!await ours.WaitSessionsEndedAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("A session of this server did not end within 30 s of its client leaving.");
                }

                MemorySnapshot disconnected = MemorySnapshot.Take();
                memory = new ClientMemory(
                    (connected.ResidentBytes - disconnected.ResidentBytes) / (double)options.Clients,
                    (connected.ManagedBytes - disconnected.ManagedBytes) / (double)options.Clients);
                if (extras.Count > 0)
                {
                    progress?.WriteLine($"  {trace.Name} on {server.Name}: the final frame of {extrasMatching} of the {extras.Count} other clients matches");
                }
            }

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
                if (InLatencyFigures(applied[i], match[i]))
                {
                    latencies.Add((received[match[i]].LastByteTicks - applied[i].StartTicks) * 1000.0 / Stopwatch.Frequency);
                }
            }

            if (options.UpdatesDirectory is not null)
            {
                UpdateListing.Write(UpdateListing.PathFor(options.UpdatesDirectory, trace.Name, server.Name), applied, received, match);
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
                Clients = ours is not null ? options.Clients : 1,
                MemoryPerClientMb = memory is null ? double.NaN : memory.ResidentBytes / Mib,
                ManagedMemoryPerClientMb = memory is null ? double.NaN : memory.ManagedBytes / Mib,
                ZlibMemoryPerClientMb = ours is null ? double.NaN : ZlibShare(options) / Mib,
            };
        }
        finally
        {
            File.Delete(dump);
            foreach ((ClientProcess extra, string extraDump) in extras)
            {
                extra.Dispose();
                File.Delete(extraDump);
            }

            if (options.Threads > 0)
            {
                CpuAffinity.Limit(Environment.ProcessId, 0);
            }
        }
    }

    private const double Mib = 1024 * 1024;

    private static readonly Dictionary<int, double> s_zlibBytesPerStream = new();

    /// <summary>
    /// The native memory of the zlib streams one session of this server keeps for the chosen
    /// encoding (the most it may use: four for Tight, one for Zlib and ZRLE), from the resident
    /// size of bare streams measured by <see cref="ZlibProbe"/> (once per level and run).
    /// </summary>
    private static double ZlibShare(BenchOptions options)
    {
        int streams = ZlibProbe.StreamsPerSession(options.Encoding);
        if (streams == 0)
        {
            return 0;
        }

        int level = Math.Clamp(options.Compress < 0 ? 2 : options.Compress, 1, 9);
        lock (s_zlibBytesPerStream)
        {
            if (!s_zlibBytesPerStream.TryGetValue(level, out double perStream))
            {
                perStream = s_zlibBytesPerStream[level] = ZlibProbe.ResidentBytesPerStream(level);
            }

            return streams * perStream;
        }
    }

    /// <summary>What the replay loop measured: each update as applied, the lock-step stalls, and its thread's CPU time.</summary>
    private sealed record Replay(AppliedUpdate[] Applied, int Stalls, long StallTicks, TimeSpan LoopCpu, TimeSpan ApplyCpu);

    /// <summary>
    /// Replays every update on the calling thread (one of the bench's own, see
    /// <see cref="OnThreadAsync{T}"/>) with blocking waits, in lock-step with the measuring client
    /// (<paramref name="clients"/>[0]) at max pace, then waits until every client has been quiet
    /// for <see cref="QuietAtEnd"/>. Its CPU time, and the part of it spent in
    /// <see cref="IBenchServer.ApplyAsync"/>, are returned.
    /// </summary>
    private static Replay ReplayAll(LoadedTrace trace, IBenchServer server, List<ClientProcess> clients, BenchOptions options, TextWriter? progress, CancellationToken cancellationToken)
    {
        ClientProcess client = clients[0];
        TimeSpan loopStart = ThreadCpu.Now();
        TimeSpan applyCpu = TimeSpan.Zero;
        var applied = new AppliedUpdate[trace.Updates.Count];
        long started = Stopwatch.GetTimestamp();
        long lastProgress = started;
        uint firstTimestamp = trace.Updates[0].TimestampMs;
        int stalls = 0;
        long stallTicks = 0;
        for (int i = 0; i < trace.Updates.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (client.Ended)
            {
                // The server closed the connection (or the client failed): nothing more can be
                // measured, and waiting for each remaining update would only take time.
                throw new InvalidOperationException(
                    $"{trace.Name} on {server.Name}: the measuring client stopped after {i} of {trace.Updates.Count} updates were replayed. {client.Stderr()}".TrimEnd());
            }

            if (options.Pace == Pace.Recorded)
            {
                TimeSpan due = TimeSpan.FromMilliseconds(trace.Updates[i].TimestampMs - firstTimestamp) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    Thread.Sleep(due);
                }
            }
            else
            {
                client.DrainPending();
            }

            TimeSpan applyStart = ThreadCpu.Now();
            applied[i] = server.ApplyAsync(i, cancellationToken).GetAwaiter().GetResult();
            applyCpu += ThreadCpu.Now() - applyStart;
            long waitStarted = Stopwatch.GetTimestamp();
            if (options.Pace == Pace.Max && applied[i].Changed && client.NextUpdate(s_stepTimeout) is null)
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

        // Wait until the clients have been quiet for a while: the last update has arrived.
        foreach (ClientProcess c in clients)
        {
            WaitQuiet(c, cancellationToken);
        }

        return new Replay(applied, stalls, stallTicks, ThreadCpu.Now() - loopStart, applyCpu);
    }

    /// <summary>Runs <paramref name="work"/> on a new thread of the bench's own and completes with its result.</summary>
    private static Task<T> OnThreadAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { IsBackground = true, Name = "bench replay" };
        thread.Start();
        return done.Task;
    }

    private static TimeSpan ReadersCpu(List<ClientProcess> clients)
    {
        TimeSpan total = TimeSpan.Zero;
        foreach (ClientProcess c in clients)
        {
            total += c.ReaderCpu;
        }

        return total;
    }

    private static void WaitQuiet(ClientProcess client, CancellationToken cancellationToken)
    {
        int count = client.ReceivedCount;
        long deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(QuietAtEnd);
            int now = client.ReceivedCount;
            if (now == count)
            {
                return;
            }

            count = now;
        }
    }

    /// <summary>Whether a replayed update counts in the latency figures: it changed the frame and <paramref name="match"/> (the index of the server's update that carried it) is not -1.</summary>
    internal static bool InLatencyFigures(AppliedUpdate update, int match) => update.Changed && match >= 0;

    /// <summary>
    /// A full, compacting collection, the large-object heap included, right before a measured
    /// replay: what loading the trace and the runs before allocated is collected or promoted now,
    /// not by collections during the replay (this server shares the bench's process and heap).
    /// Four-trace run, Tight quality 8, recorded pace, one run each way: collections paused the
    /// process 13.0 / 6.4 / 10.4 / 6.7 ms in all during the replays without it, 4.2 / 2.1 / 3.3 /
    /// 3.9 ms with it. The aggressive mode also gives the freed memory back to the system: the
    /// video trace replayed twice in one process ran the second time with 0.90 GB resident, not
    /// 1.74 GB (the first trace's 0.8 GB of decoded updates had stayed committed), and that
    /// replay met fewer pauses of the virtual CPUs on the benchmark machine (performance.md).
    /// </summary>
    private static void SettleHeap()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
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

    /// <summary>Resident and managed bytes per client: the bench process with every client connected less with none.</summary>
    private sealed record ClientMemory(double ResidentBytes, double ManagedBytes);

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
