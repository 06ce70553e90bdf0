using Rfb.Encodings;
using Rfb.Encodings.Jpeg;
using Rfb.Recording;
using Rfb.Sessions;
using TraceBench.Servers;

namespace TraceBench;

/// <summary>Runs the bench for parsed options: every trace on this server, then on each peer.</summary>
internal static class Bench
{
    /// <exception cref="TraceFormatException">A trace cannot be replayed; the message names the file.</exception>
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        if (!options.EncoderOnly && !EncoderCatalog.IsSupported(options.Encoding))
        {
            progress.WriteLine($"note: this build has no {EncodingNames.Name(options.Encoding)} encoder yet; the server answers with Raw.");
        }

        if (options.Quality >= 0 && options.Encoding is EncodingType.Tight or EncodingType.TightPng && !TurboJpeg.IsAvailable)
        {
            // Tight then sends no JPEG at all, so its bytes and CPU are not comparable with runs that had it.
            progress.WriteLine($"note: JPEG is not available ({TurboJpeg.UnavailableReason}): this server's Tight sends every area losslessly. Install libturbojpeg0 for comparable figures.");
        }

        if (options.Threads > 0)
        {
            progress.WriteLine($"note: --threads {options.Threads}: the server's processes run on CPU {CpuAffinity.Describe(options.Threads)} of the {CpuAffinity.OriginalCount} the bench has; the client on all of them.");
        }

        var results = new List<BenchResult>();
        foreach (string path in options.Traces)
        {
            // One trace at a time: its decoded updates (about 0.8 GB for the video trace) are
            // unreachable once its runs end, so the next replay does not run beside them.
            await RunTraceAsync(path, options, results, progress, cancellationToken).ConfigureAwait(false);
        }

        output.WriteLine();
        Report.WriteTable(output, results);
        Report.WriteRatios(output, results);
        if (!options.EncoderOnly)
        {
            output.WriteLine();
            Report.WriteMemory(output, results);
        }

        if (options.JsonPath is not null)
        {
            Report.WriteJson(options.JsonPath, results);
        }

        if (options.ChartsDirectory is not null)
        {
            foreach (string chart in ChartWriter.Write(options.ChartsDirectory, results, options))
            {
                progress.WriteLine($"Wrote {chart}");
            }
        }

        return results;
    }

    /// <summary>Loads one trace and runs it on this server, then on each peer, adding the results.</summary>
    private static async Task RunTraceAsync(string path, BenchOptions options, List<BenchResult> results, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine($"Loading {path}");
        LoadedTrace trace;
        try
        {
            trace = LoadedTrace.Load(path);
        }
        catch (TraceFormatException ex)
        {
            throw new TraceFormatException(ex.Error, $"{path}: {ex.Message}");
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such file.");
        }

        progress.WriteLine($"  {trace.Width}x{trace.Height}, {trace.Updates.Count} updates, {trace.DamagedPixels / 1e6:0.0} Mpx damaged");
        if (options.EncoderOnly)
        {
            results.Add(EncoderOnlyRunner.Run(trace, options));
            return;
        }

        if (options.Warmup)
        {
            // Unmeasured: the same replay through a server of its own, so that the JIT has
            // compiled and optimised this process's server code before the measured run.
            progress.WriteLine($"  {trace.Name}: warm-up replay (not measured)");
            await using var warm = new RfbBenchServer { ReportBlits = options.ReportBlits, DetectScrolls = options.DetectScrolls };
            await BenchRunner.RunAsync(trace, warm, options, progress: null, cancellationToken).ConfigureAwait(false);
        }

        await using (var ours = new RfbBenchServer { ReportBlits = options.ReportBlits, DetectScrolls = options.DetectScrolls })
        {
            results.Add(await BenchRunner.RunAsync(trace, ours, options, progress, cancellationToken).ConfigureAwait(false));
        }

        if (options.Peers.Count > 0)
        {
            string raw = Path.Combine(Path.GetTempPath(), $"tracebench-{Environment.ProcessId}-{trace.Name}-{Guid.NewGuid():N}.raw");
            RawTraceWriter.Write(trace, raw);
            try
            {
                foreach (string peer in options.Peers)
                {
                    await using IBenchServer server = PeerServers.Create(peer, raw);
                    try
                    {
                        results.Add(await BenchRunner.RunAsync(trace, server, options, progress, cancellationToken).ConfigureAwait(false));
                    }
                    catch (InvalidOperationException ex) when (options.Traces.Count > 1)
                    {
                        // One peer failing on one trace should not lose the other figures of a long run.
                        progress.WriteLine($"  {trace.Name} on {peer} failed: {ex.Message}");
                    }
                }
            }
            finally
            {
                File.Delete(raw);
            }
        }
    }
}
