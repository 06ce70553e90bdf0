using System.Diagnostics;
using ConsoleBridge;
using ConsoleBridge.Gl;
using Microsoft.Extensions.Logging;

namespace GlScanout;

/// <summary>
/// Frames per second and GL-update-to-shadow latency of whole-frame updates, for the PBO ring and
/// for synchronous readback. Each frame stamps its number into its top-left pixels; a frame counts
/// as delivered when the shadow shows its stamp.
/// </summary>
internal static class Benchmark
{
    public static void Run(GlBridgeOptions template, int width, int height, int seconds, ILogger logger)
    {
        foreach (GlReadbackMode mode in new[] { GlReadbackMode.PboRing, GlReadbackMode.Synchronous })
        {
            var options = new GlBridgeOptions
            {
                Platform = template.Platform,
                DeviceIndex = template.DeviceIndex,
                RingDepth = template.RingDepth,
                PersistentMapping = template.PersistentMapping,
                ReadbackMode = mode,
            };
            using var bridge = new GlBridge(options, logger);
            using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
            console.Gl = bridge;
            using var scene = new SceneProducer(bridge, width, height);
            long delivered = 0;
            long shown = -1;
            long[] submitted = new long[1 << 20];
            var latencies = new List<double>();
            bool recordLatency = false;
            object gate = new();
            console.Updated += (_, _) =>
            {
                long now = Stopwatch.GetTimestamp();
                uint stamp;
                using (ShadowReadScope shadow = console.ReadShadow())
                {
                    stamp = shadow.Pixels[0];
                }

                long frame = SceneProducer.FrameOf(stamp);
                lock (gate)
                {
                    if (frame != shown)
                    {
                        shown = frame;
                        delivered++;
                        if (recordLatency && submitted[frame & (submitted.Length - 1)] != 0)
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(submitted[frame & (submitted.Length - 1)], now).TotalMilliseconds);
                        }

                        Monitor.PulseAll(gate);
                    }
                }
            };

            scene.RenderSolid(0, 0x203040); // differs from the black placeholder, so the first frame raises Updated
            nint first = scene.Fence();
            scene.Publish(console);
            console.GlUpdate(0, 0, width, height, first);
            WaitFor(gate, () => shown == 0, TimeSpan.FromSeconds(20));

            // Throughput: frames are produced as fast as they are taken, at most a few ahead.
            long frameNumber = 0;
            double slowestCall = 0;
            long deliveredBefore;
            lock (gate)
            {
                deliveredBefore = delivered;
            }

            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                frameNumber++;
                scene.RenderSolid(frameNumber, (uint)(frameNumber * 0x010307) & 0xFFFFFF);
                nint fence = scene.Fence();
                long t0 = Stopwatch.GetTimestamp();
                console.GlUpdate(0, 0, width, height, fence);
                if (frameNumber > 10) // past JIT compilation of the first calls
                {
                    slowestCall = Math.Max(slowestCall, Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                }
                long f = frameNumber;
                WaitFor(gate, () => shown >= f - 4, TimeSpan.FromSeconds(20));
            }

            WaitFor(gate, () => shown == frameNumber, TimeSpan.FromSeconds(20));
            double elapsed = clock.Elapsed.TotalSeconds;
            double fps;
            lock (gate)
            {
                fps = (delivered - deliveredBefore) / elapsed;
            }

            // Latency: one frame at a time, from GlUpdate to its stamp in the shadow.
            lock (gate)
            {
                recordLatency = true;
            }

            for (int i = 0; i < 60; i++)
            {
                frameNumber++;
                scene.RenderSolid(frameNumber, (uint)(frameNumber * 0x030507) & 0xFFFFFF);
                nint fence = scene.Fence();
                submitted[frameNumber & (submitted.Length - 1)] = Stopwatch.GetTimestamp();
                console.GlUpdate(0, 0, width, height, fence);
                long f = frameNumber;
                WaitFor(gate, () => shown == f, TimeSpan.FromSeconds(20));
            }

            double[] sorted;
            lock (gate)
            {
                sorted = latencies.Order().ToArray();
            }

            double mib = (double)width * height * 4 / (1 << 20);
            Console.WriteLine(
                $"BENCH {width}x{height} {mode,-11} {fps,8:F1} fps {fps * mib / 1024,7:F2} GiB/s  latency median {Percentile(sorted, 0.5),7:F2} ms  p95 {Percentile(sorted, 0.95),7:F2} ms  " +
                $"slowest GlUpdate call {slowestCall:F0} us  ({bridge.Renderer}; {scene.Sharing}; ring {options.RingDepth}; persistent {bridge.PersistentMapping})");
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static void WaitFor(object gate, Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        lock (gate)
        {
            while (!condition())
            {
                TimeSpan left = timeout - deadline.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"The benchmark's frame did not reach the shadow within {timeout}.");
                }

                Monitor.Wait(gate, left);
            }
        }
    }
}
