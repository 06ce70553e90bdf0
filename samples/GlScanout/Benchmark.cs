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
            var meter = new FrameMeter(console, 1 << 20);

            scene.RenderSolid(0, 0x203040); // differs from the black placeholder, so the first frame raises Updated
            nint first = scene.Fence();
            scene.Publish(console);
            console.GlUpdate(0, 0, width, height, first);
            meter.WaitForShown(shown => shown == 0, TimeSpan.FromSeconds(20));

            // Throughput: frames are produced as fast as they are taken, at most a few ahead.
            long frameNumber = 0;
            double slowestCall = 0;
            long deliveredBefore = meter.Delivered;

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
                meter.WaitForShown(shown => shown >= f - 4, TimeSpan.FromSeconds(20));
            }

            meter.WaitForShown(shown => shown == frameNumber, TimeSpan.FromSeconds(20));
            double elapsed = clock.Elapsed.TotalSeconds;
            double fps = (meter.Delivered - deliveredBefore) / elapsed;

            // Latency: one frame at a time, from GlUpdate to its stamp in the shadow.
            meter.RecordLatency();

            for (int i = 0; i < 60; i++)
            {
                frameNumber++;
                scene.RenderSolid(frameNumber, (uint)(frameNumber * 0x030507) & 0xFFFFFF);
                nint fence = scene.Fence();
                meter.MarkSubmitted(frameNumber);
                console.GlUpdate(0, 0, width, height, fence);
                long f = frameNumber;
                meter.WaitForShown(shown => shown == f, TimeSpan.FromSeconds(20));
            }

            double[] sorted = meter.SortedLatencies();

            double mib = (double)width * height * 4 / (1 << 20);
            Console.WriteLine(
                $"BENCH {width}x{height} {mode,-11} {fps,8:F1} fps {fps * mib / 1024,7:F2} GiB/s  latency median {FrameMeter.Percentile(sorted, 0.5),7:F2} ms  p95 {FrameMeter.Percentile(sorted, 0.95),7:F2} ms  " +
                $"slowest GlUpdate call {slowestCall:F0} us  ({bridge.Renderer}; {scene.Sharing}; ring {options.RingDepth}; persistent {bridge.PersistentMapping})");
        }
    }

}
