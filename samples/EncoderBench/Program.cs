using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace EncoderBench;

/// <summary>
/// Encoder benchmarks on recorded traces.
///   EncoderBench bench [BenchmarkDotNet arguments]     per-encoder BenchmarkDotNet runs on trace samples
///   EncoderBench encperf [--passes 3] [--runs 9] [--threads 1] [--batch] [--union] [CONFIG...]
///                                                       whole traces, single-threaded CPU seconds and MB,
///                                                       median of passes of runs, as TigerVNC's encperf;
///                                                       --batch: one encoder call per update;
///                                                       --union: each update's rectangles merged into
///                                                       the rectangles of their union, as encperf does
/// Traces are read from shared/traces beside the checkout or from RFB_TRACES.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "encperf")
        {
            try
            {
                return EncPerf(args[1..]);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
            {
                Console.Error.WriteLine($"EncoderBench encperf: {(e is IndexOutOfRangeException ? "an option is missing its value" : e.Message)}");
                return 2;
            }
        }

        if (args.Length > 0 && args[0] == "bench")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }

        Console.Error.WriteLine("usage: EncoderBench bench [BenchmarkDotNet options] | encperf [--passes N] [--runs N] [--threads N] [--batch] [--union] [CONFIG...]");
        Console.Error.WriteLine("configs: " + string.Join(", ", EncoderConfig.All.Select(c => c.Name)) + ", or one of them at another compress level or quality (zrle-c4, tight-q5-c2)");
        return 2;
    }

    private static int EncPerf(string[] args)
    {
        int passes = 3, runs = 9, threads = 1;
        bool batch = false;
        bool union = false;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--passes": passes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = true; break;
                case "--union": union = true; break;
                default: names.Add(args[i]); break;
            }
        }

        EncoderConfig[] configs = names.Count == 0 ? EncoderConfig.Available.ToArray() : names.Select(EncoderConfig.Find).ToArray();
        Console.WriteLine($"# traces from {TraceLocator.Folder}; {passes} passes of {runs} runs; {threads} thread(s) per encoder call{(batch ? ", one call per update" : ", one call per rectangle")}{(union ? "; rectangles of each update's union" : "; rectangles as recorded")}; CPU s, wall s and MB are medians; Mpx/s from CPU s");
        Console.WriteLine("| trace | Mpx | config | CPU s | wall s | MB | Mpx/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (string trace in TraceLocator.Names)
        {
            TraceFrames frames = TraceFrames.Load(Path.Combine(TraceLocator.Folder, trace), every: 1, union: union);
            double mpx = frames.Pixels / 1e6;
            foreach (EncoderConfig config in configs)
            {
                using var encoding = new TraceEncoding(frames, config, threads, batch);
                var passMedians = new List<double>();
                var wallMedians = new List<double>();
                long bytes = 0;
                for (int p = 0; p < passes; p++)
                {
                    var times = new List<double>();
                    var walls = new List<double>();
                    for (int r = 0; r < runs; r++)
                    {
                        encoding.Reset();
                        TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
                        long started = Stopwatch.GetTimestamp();
                        bytes = encoding.EncodeAll();
                        walls.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                        times.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
                    }

                    passMedians.Add(Median(times));
                    wallMedians.Add(Median(walls));
                }

                double cpu = Median(passMedians);
                double wall = Median(wallMedians);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {trace} | {mpx:0} | {config.Name} | {cpu:0.00} | {wall:0.00} | {bytes / 1e6:0.00} | {mpx / cpu:0} |"));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {trace} {config.Name}: {bytes} bytes"));
            }
        }

        return 0;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
