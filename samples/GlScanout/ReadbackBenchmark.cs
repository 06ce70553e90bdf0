using System.Diagnostics;
using ConsoleBridge;
using ConsoleBridge.Gl;
using Microsoft.Extensions.Logging;
using Silk.NET.OpenGL;

namespace GlScanout;

/// <summary>
/// Readback alone, without sharing between contexts: an animated scene is rendered into a texture
/// of the bridge's own context (on its GL thread, queued in order with the updates), and the bridge
/// reads it back through the PBO ring or synchronously. Each frame stamps its number into its
/// top-left pixels; a frame counts as delivered when the shadow shows its stamp.
/// </summary>
internal static class ReadbackBenchmark
{
    private const int LatencySamples = 200;

    /// <summary>
    /// How many frames the producer may render beyond the last one shown (<c>--ahead</c>, default 4).
    /// Frames rendered while every buffer is busy are merged, not read, so with a scene that costs
    /// GPU time a large lead spends the GPU on frames nobody sees.
    /// </summary>
    public static int Ahead { get; set; } = 4;

    /// <summary>One way of reading back, and whether the scene changes the whole frame or a few boxes.</summary>
    private sealed record Variant(string Name, GlReadbackMode Mode, bool RenderOnly = false, bool Timeline = false, bool Staged = false, int Strips = 1, GlReadFormat Format = GlReadFormat.Bgra, bool GpuDamage = false, SceneKind Scene = SceneKind.Full, bool ClientStorage = true, bool FragmentDamage = false);

    private static readonly Variant[] s_variants =
    [
        new("synchronous", GlReadbackMode.Synchronous),
        new("ring", GlReadbackMode.PboRing),
        new("ring 8888_REV", GlReadbackMode.PboRing, Format: GlReadFormat.BgraInt8888Rev),
        new("ring RGBA", GlReadbackMode.PboRing, Format: GlReadFormat.Rgba),
        new("ring 4 strips", GlReadbackMode.PboRing, Strips: 4),
        new("ring 8 strips", GlReadbackMode.PboRing, Strips: 8),
        new("ring no client storage", GlReadbackMode.PboRing, ClientStorage: false),
        new("ring 4 strips no client storage", GlReadbackMode.PboRing, Strips: 4, ClientStorage: false),
        new("staged", GlReadbackMode.PboRing, Staged: true),
        new("staged no client storage", GlReadbackMode.PboRing, Staged: true, ClientStorage: false),
        new("staged 8888_REV", GlReadbackMode.PboRing, Staged: true, Format: GlReadFormat.BgraInt8888Rev),
        new("staged RGBA", GlReadbackMode.PboRing, Staged: true, Format: GlReadFormat.Rgba),
        new("staged 4 strips", GlReadbackMode.PboRing, Staged: true, Strips: 4),
        new("staged 8 strips", GlReadbackMode.PboRing, Staged: true, Strips: 8),
        new("boxes: synchronous", GlReadbackMode.Synchronous, Scene: SceneKind.Boxes),
        new("boxes: ring", GlReadbackMode.PboRing, Scene: SceneKind.Boxes),
        new("boxes: staged", GlReadbackMode.PboRing, Staged: true, Scene: SceneKind.Boxes),
        new("boxes: ring+GPU damage", GlReadbackMode.PboRing, GpuDamage: true, Scene: SceneKind.Boxes),
        new("boxes: ring+GPU damage (fragment)", GlReadbackMode.PboRing, GpuDamage: true, Scene: SceneKind.Boxes, FragmentDamage: true),
        new("boxes: staged+GPU damage", GlReadbackMode.PboRing, Staged: true, GpuDamage: true, Scene: SceneKind.Boxes),
        new("full: render only", GlReadbackMode.PboRing, RenderOnly: true),
        new("drawn: timeline", GlReadbackMode.PboRing, Timeline: true, Scene: SceneKind.Drawn),
        new("static: timeline", GlReadbackMode.PboRing, Timeline: true, Scene: SceneKind.Static),
        new("drawn: timeline persistent", GlReadbackMode.PboRing, Timeline: true, Scene: SceneKind.Drawn),
        new("drawn: timeline timer", GlReadbackMode.PboRing, Timeline: true, Scene: SceneKind.Drawn),
        new("drawn: timeline pipelined", GlReadbackMode.PboRing, Timeline: true, Scene: SceneKind.Drawn),
        new("static: timeline pipelined", GlReadbackMode.PboRing, Timeline: true, Scene: SceneKind.Static),
        new("drawn: timeline pipelined persistent", GlReadbackMode.PboRing, Timeline: true, Scene: SceneKind.Drawn),
        new("drawn: render only", GlReadbackMode.PboRing, RenderOnly: true, Scene: SceneKind.Drawn),
        new("drawn: synchronous", GlReadbackMode.Synchronous, Scene: SceneKind.Drawn),
        new("drawn: ring", GlReadbackMode.PboRing, Scene: SceneKind.Drawn),
        new("drawn: staged", GlReadbackMode.PboRing, Staged: true, Scene: SceneKind.Drawn),
        new("static: synchronous", GlReadbackMode.Synchronous, Scene: SceneKind.Static),
        new("static: ring", GlReadbackMode.PboRing, Scene: SceneKind.Static),
        new("static: ring+GPU damage", GlReadbackMode.PboRing, GpuDamage: true, Scene: SceneKind.Static),
        new("static: ring+GPU damage (fragment)", GlReadbackMode.PboRing, GpuDamage: true, Scene: SceneKind.Static, FragmentDamage: true),
    ];

    /// <summary>
    /// What each frame draws: a new full-frame background and boxes, the boxes on a constant
    /// background, or only the frame stamp (the rest drawn once), each update still reporting the whole frame.
    /// </summary>
    private enum SceneKind
    {
        /// <summary>A new background colour each frame, filled with a full-frame <c>glClear</c>, and boxes.</summary>
        Full,

        /// <summary>Boxes moving over a constant background (still cleared whole each frame).</summary>
        Boxes,

        /// <summary>A pattern drawn by a fragment shader over the whole frame, different each frame, and boxes.</summary>
        Drawn,

        /// <summary>Only the frame stamp changes; the rest is drawn once.</summary>
        Static,
    }

    /// <summary>
    /// Runs every variant whose name contains one of <paramref name="only"/> (all when empty) at
    /// <paramref name="width"/> × <paramref name="height"/>, one line each.
    /// </summary>
    public static void Run(GlBridgeOptions template, int width, int height, int seconds, IReadOnlyList<string> only, ILogger logger)
    {
        foreach (Variant variant in s_variants)
        {
            if (only.Count > 0 && !only.Any(o => variant.Name.Contains(o, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var options = new GlBridgeOptions
            {
                Platform = template.Platform,
                DeviceIndex = template.DeviceIndex,
                RingDepth = template.RingDepth,
                PersistentMapping = template.PersistentMapping,
                ReadbackMode = variant.Mode,
                StagedReadback = variant.Staged,
                ReadStrips = variant.Strips,
                ReadFormat = variant.Format,
                GpuDamageDetection = variant.GpuDamage,
                ClientStorageHint = variant.ClientStorage,
                FragmentDamageDetection = variant.FragmentDamage,
                MeasureGpuTime = true,
            };
            try
            {
                if (variant.Timeline)
                {
                    RunTimeline(variant, options, width, height, logger);
                }
                else if (variant.RenderOnly)
                {
                    RunRenderOnly(variant, options, width, height, seconds, logger);
                }
                else
                {
                    RunOne(variant, options, width, height, seconds, logger);
                }

            }
            catch (Exception ex) when (ex is TimeoutException or GlException)
            {
                // One variant failing (a driver refusing it, a frame that never arrives) does not stop the others.
                Console.WriteLine($"READBACK {width}x{height} {variant.Name,-26} FAILED: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// The scene alone, without readback: frames rendered on the bridge's GL thread, each followed
    /// by a fence, at most three unfinished; frames per second counted when their fence signals.
    /// The rate a readback of freshly rendered frames can at best keep up with.
    /// </summary>
    private static void RunRenderOnly(Variant variant, GlBridgeOptions options, int width, int height, int seconds, ILogger logger)
    {
        using var bridge = new GlBridge(options, logger);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        var scene = new OwnScene(width, height, variant.Scene);
        console.ScanoutOwnTexture(scene.Create, width, height, y0Top: false);
        var fences = new Queue<nint>();
        long finished = 0;
        using var done = new SemaphoreSlim(0);
        void Frame(GL gl, long f)
        {
            scene.Render(gl, f);
            fences.Enqueue(gl.FenceSync(SyncCondition.SyncGpuCommandsComplete, SyncBehaviorFlags.None));
            gl.Flush();
            while (fences.Count > 3 || (f < 0 && fences.Count > 0))
            {
                nint fence = fences.Dequeue();
                gl.ClientWaitSync(fence, SyncObjectMask.Bit, 1_000_000_000);
                gl.DeleteSync(fence);
                Interlocked.Increment(ref finished);
            }

            done.Release();
        }

        for (long f = 1; f <= 30; f++)
        {
            long frame = f;
            console.InvokeOnGlThread(gl => Frame(gl, frame));
            done.Wait();
        }

        scene.ResetRenderTime();
        long start = Interlocked.Read(ref finished);
        var clock = Stopwatch.StartNew();
        long n = 30;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            long frame = ++n;
            console.InvokeOnGlThread(gl => Frame(gl, frame));
            done.Wait();
        }

        double elapsed = clock.Elapsed.TotalSeconds;
        long frames = Interlocked.Read(ref finished) - start;
        double renderMs = 0;
        console.InvokeOnGlThread(gl => { Frame(gl, -1); renderMs = scene.RenderMilliseconds(gl); });
        done.Wait();
        Console.WriteLine(
            $"READBACK {width}x{height} {variant.Name,-26} {frames / elapsed,8:F1} fps of rendering alone (fenced, at most 3 unfinished)  " +
            $"{1000 * elapsed / frames:F2} ms per frame  render GPU {renderMs:F3} ms per frame (timer query)  ({bridge.Renderer})");
    }

    /// <summary>
    /// One frame at a time on the GL thread, with GPU timestamps (<c>glQueryCounter</c>) before and
    /// after the scene and after a whole-frame <c>glReadPixels</c> into a pixel-pack buffer, the
    /// GPU clock sampled when the work was flushed (<c>GL_TIMESTAMP</c>), and the CPU's blocking
    /// wait for the fence: where between issue and signal the time goes.
    /// </summary>
    private static unsafe void RunTimeline(Variant variant, GlBridgeOptions options, int width, int height, ILogger logger)
    {
        using var bridge = new GlBridge(options, logger);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        var scene = new OwnScene(width, height, variant.Scene);
        console.ScanoutOwnTexture(scene.Create, width, height, y0Top: false);
        const int Frames = 120;
        var startToRenderEnd = new double[Frames];
        var renderEndToReadEnd = new double[Frames];
        var flushToStart = new double[Frames];
        var readEndToSeen = new double[Frames];
        var issueToSeen = new double[Frames];
        using var done = new SemaphoreSlim(0);
        console.InvokeOnGlThread(gl =>
        {
            bool persistent = variant.Name.Contains("persistent", StringComparison.Ordinal);
            bool timer = variant.Name.Contains("timer", StringComparison.Ordinal);
            bool pipelined = variant.Name.Contains("pipelined", StringComparison.Ordinal);
            uint[] q = new uint[4];
            gl.GenQueries(q);
            uint[] pbos = new uint[3];
            var fences = new nint[3];
            nuint frameBytes = (nuint)((long)width * height * 4);
            for (int b = 0; b < pbos.Length; b++)
            {
                pbos[b] = gl.GenBuffer();
                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, pbos[b]);
                if (persistent)
                {
                    gl.BufferStorage(BufferStorageTarget.PixelPackBuffer, frameBytes, null, BufferStorageMask.MapReadBit | BufferStorageMask.MapPersistentBit | BufferStorageMask.MapCoherentBit | BufferStorageMask.ClientStorageBit);
                    gl.MapBufferRange(BufferTargetARB.PixelPackBuffer, 0, frameBytes, MapBufferAccessMask.ReadBit | MapBufferAccessMask.PersistentBit | MapBufferAccessMask.CoherentBit);
                }
                else
                {
                    gl.BufferData(BufferTargetARB.PixelPackBuffer, frameBytes, null, BufferUsageARB.StreamRead);
                }
            }

            gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
            uint readFramebuffer = gl.GenFramebuffer();
            gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, readFramebuffer);
            gl.FramebufferTexture2D(FramebufferTarget.ReadFramebuffer, FramebufferAttachment.ColorAttachment0, TextureTarget.Texture2D, scene.Texture, 0);
            gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, 0);
            if (pipelined)
            {
                // Render frame f and read it into buffer f % 3 while up to two earlier readbacks are
                // still in flight, as the ring does; frames per second over all frames.
                long start = 0;
                for (int f = 0; f < Frames * 4 + 10; f++)
                {
                    if (f == 10)
                    {
                        start = Stopwatch.GetTimestamp();
                    }

                    int slot = f % 3;
                    if (fences[slot] != 0)
                    {
                        gl.ClientWaitSync(fences[slot], SyncObjectMask.Bit, 1_000_000_000);
                        gl.DeleteSync(fences[slot]);
                    }

                    scene.Render(gl, f + 1);
                    gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, readFramebuffer);
                    gl.BindBuffer(BufferTargetARB.PixelPackBuffer, pbos[slot]);
                    gl.ReadPixels(0, 0, (uint)width, (uint)height, PixelFormat.Bgra, PixelType.UnsignedByte, null);
                    gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
                    gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, 0);
                    fences[slot] = gl.FenceSync(SyncCondition.SyncGpuCommandsComplete, SyncBehaviorFlags.None);
                    gl.Flush();
                }

                foreach (nint fence in fences)
                {
                    gl.ClientWaitSync(fence, SyncObjectMask.Bit, 1_000_000_000);
                    gl.DeleteSync(fence);
                }

                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds / (Frames * 4);
                Console.WriteLine($"READBACK {width}x{height} {variant.Name,-26} {1000 / ms:F1} frames/s, {ms:F3} ms per frame (render and readback, up to 3 in flight)");
            }

            for (int f = 0; f < Frames + 10 && !pipelined; f++)
            {
                gl.QueryCounter(q[0], QueryCounterTarget.Timestamp);
                scene.Render(gl, f + 1);
                gl.QueryCounter(q[1], QueryCounterTarget.Timestamp);
                gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, readFramebuffer);
                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, pbos[0]);
                if (timer)
                {
                    gl.BeginQuery(QueryTarget.TimeElapsed, q[3]);
                }

                gl.ReadPixels(0, 0, (uint)width, (uint)height, PixelFormat.Bgra, PixelType.UnsignedByte, null);
                if (timer)
                {
                    gl.EndQuery(QueryTarget.TimeElapsed);
                }

                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
                gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, 0);
                gl.QueryCounter(q[2], QueryCounterTarget.Timestamp);
                nint fence = gl.FenceSync(SyncCondition.SyncGpuCommandsComplete, SyncBehaviorFlags.None);
                gl.Flush();
                long issued = Stopwatch.GetTimestamp();
                gl.GetInteger64(GetPName.Timestamp, out long gpuAtFlush);
                gl.ClientWaitSync(fence, SyncObjectMask.Bit, 1_000_000_000);
                long seen = Stopwatch.GetTimestamp();
                gl.GetInteger64(GetPName.Timestamp, out long gpuAtSeen);
                gl.DeleteSync(fence);
                gl.GetQueryObject(q[0], QueryObjectParameterName.Result, out ulong t0);
                gl.GetQueryObject(q[1], QueryObjectParameterName.Result, out ulong t1);
                gl.GetQueryObject(q[2], QueryObjectParameterName.Result, out ulong t2);
                if (f >= 10)
                {
                    int i = f - 10;
                    startToRenderEnd[i] = (t1 - t0) / 1e6;
                    renderEndToReadEnd[i] = (t2 - t1) / 1e6;
                    flushToStart[i] = ((long)t0 - gpuAtFlush) / 1e6;
                    readEndToSeen[i] = (gpuAtSeen - (long)t2) / 1e6;
                    issueToSeen[i] = Stopwatch.GetElapsedTime(issued, seen).TotalMilliseconds;
                }
            }

            gl.DeleteFramebuffer(readFramebuffer);
            gl.DeleteBuffers(pbos);
            gl.DeleteQueries(q);
            done.Release();
        });
        done.Wait();
        if (variant.Name.Contains("pipelined", StringComparison.Ordinal))
        {
            return;
        }

        static double Median(double[] v) => v.Order().ElementAt(v.Length / 2);
        Console.WriteLine(
            $"READBACK {width}x{height} {variant.Name,-26} medians of {Frames}: GPU scene {Median(startToRenderEnd):F3} ms, scene end -> readback end {Median(renderEndToReadEnd):F3} ms, " +
            $"flush (GPU clock) -> GPU start {Median(flushToStart):F3} ms, readback end -> fence seen (GPU clock) {Median(readEndToSeen):F3} ms, flush -> fence seen (CPU) {Median(issueToSeen):F3} ms");
    }

    private static void RunOne(Variant variant, GlBridgeOptions options, int width, int height, int seconds, ILogger logger)
    {
        using var bridge = new GlBridge(options, logger);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        var scene = new OwnScene(width, height, variant.Scene);
        var meter = new FrameMeter(console, 1 << 16);

        console.ScanoutOwnTexture(scene.Create, width, height, y0Top: false);
        console.InvokeOnGlThread(gl => scene.Render(gl, 0));
        console.GlUpdate(0, 0, width, height);
        meter.WaitForShown(shown => shown == 0, TimeSpan.FromSeconds(20));

        // Throughput: frames are produced as fast as they are taken, at most a few ahead. Every
        // update reports the whole frame, as a virgl head without damage information does.
        var calls = new List<double>(1 << 16);
        long frameNumber = 0;
        long deliveredBefore = meter.Delivered;

        scene.ResetRenderTime();
        var statsBefore = bridge.Statistics;
        var gpuBefore = bridge.GpuTimeStatistics;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            long f = ++frameNumber;
            long t0 = Stopwatch.GetTimestamp();
            console.InvokeOnGlThread(gl => scene.Render(gl, f));
            console.GlUpdate(0, 0, width, height);
            calls.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            meter.WaitForShown(shown => shown >= f - Ahead, TimeSpan.FromSeconds(20));
        }

        meter.WaitForShown(shown => shown == frameNumber, TimeSpan.FromSeconds(20));
        double elapsed = clock.Elapsed.TotalSeconds;
        var stats = bridge.Statistics;
        var gpu = bridge.GpuTimeStatistics;
        long readbacks = stats.Readbacks - statsBefore.Readbacks;
        long bytes = stats.Bytes - statsBefore.Bytes;
        double readGiBs = bytes / elapsed / (1 << 30);
        double gpuMs = (stats.Gpu - statsBefore.Gpu).TotalMilliseconds / Math.Max(1, readbacks);
        double consumeMs = (stats.Consume - statsBefore.Consume).TotalMilliseconds / Math.Max(1, readbacks);
        long timed = gpu.Timed - gpuBefore.Timed;
        double gpuTime = (gpu.GpuTime - gpuBefore.GpuTime).TotalSeconds;
        string transfer = timed > 0 && gpuTime > 0
            ? $"GPU time {gpuTime * 1000 / timed:F3} ms per readback = {bytes / gpuTime / (1 << 30):F2} GiB/s"
            : "GPU time n/a";
        double fps = (meter.Delivered - deliveredBefore) / elapsed;
        double renderedFps = frameNumber / elapsed;
        double renderMs = 0;
        console.InvokeOnGlThread(gl => renderMs = scene.RenderMilliseconds(gl));
        meter.WaitForShown(shown => shown == frameNumber, TimeSpan.FromSeconds(20));
        console.InvokeOnGlThread(gl => renderMs = scene.RenderMilliseconds(gl));
        meter.WaitForShown(shown => shown == frameNumber, TimeSpan.FromSeconds(20));
        meter.RecordLatency();

        // Latency: one frame at a time, from the update call to its stamp in the shadow.
        for (int i = 0; i < LatencySamples; i++)
        {
            long f = ++frameNumber;
            meter.MarkSubmitted(f);
            long t0 = Stopwatch.GetTimestamp();
            console.InvokeOnGlThread(gl => scene.Render(gl, f));
            console.GlUpdate(0, 0, width, height);
            calls.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            meter.WaitForShown(shown => shown == f, TimeSpan.FromSeconds(20));
        }

        double[] sorted = meter.SortedLatencies();

        // The first calls include JIT compilation; the emulator-side figures skip them.
        double[] callTimes = calls.Skip(10).Order().ToArray();
        double frameBytes = (double)width * height * 4;
        (int readFormat, int readType) = bridge.PreferredReadFormat;
        Console.WriteLine(
            $"READBACK {width}x{height} {variant.Name,-26} {fps,8:F1} fps {fps * frameBytes / (1 << 30),7:F2} GiB/s frames  " +
            $"read back {readGiBs:F2} GiB/s ({bytes / Math.Max(1, readbacks) / 1024.0:F0} KiB per readback)  {transfer}  " +
            $"latency p50 {FrameMeter.Percentile(sorted, 0.5),7:F2} ms p99 {FrameMeter.Percentile(sorted, 0.99),7:F2} ms  " +
            $"render GPU {renderMs:F3} ms per frame, {renderedFps:F1} frames/s rendered (ahead {Ahead})  per readback: read {gpuMs:F2} ms, copy into shadow {consumeMs:F2} ms ({readbacks} readbacks)  " +
            $"enqueue p50 {FrameMeter.Percentile(callTimes, 0.5):F1} us p99 {FrameMeter.Percentile(callTimes, 0.99):F1} us max {callTimes[^1]:F0} us  " +
            $"({bridge.Renderer}; ring {options.RingDepth}; persistent {bridge.PersistentMapping}; GPU damage {bridge.GpuDamageDetection}; driver prefers format 0x{readFormat:x4} type 0x{readType:x4})");
    }

    /// <summary>The scene in the bridge's context; touched only on the bridge's GL thread.</summary>
    private sealed class OwnScene(int width, int height, SceneKind kind)
    {
        public uint Texture { get; private set; }

        private readonly uint[] _queries = new uint[8];
        private readonly bool[] _pending = new bool[8];
        private uint _framebuffer;
        private long _rendered;
        private long _timed;
        private ulong _nanoseconds;

        public void ResetRenderTime()
        {
            _timed = 0;
            _nanoseconds = 0;
        }

        /// <summary>The mean GPU time of the frames rendered since the reset whose timer results are in.</summary>
        public double RenderMilliseconds(GL gl)
        {
            Collect(gl);
            return _timed == 0 ? 0 : _nanoseconds / 1e6 / _timed;
        }

        private void Collect(GL gl)
        {
            for (int i = 0; i < _queries.Length; i++)
            {
                Take(gl, i);
            }
        }

        private void Take(GL gl, int i)
        {
            if (!_pending[i])
            {
                return;
            }

            gl.GetQueryObject(_queries[i], QueryObjectParameterName.ResultAvailable, out int available);
            if (available != 0)
            {
                gl.GetQueryObject(_queries[i], QueryObjectParameterName.Result, out ulong ns);
                _nanoseconds += ns;
                _timed++;
            }

            _pending[i] = false;
        }

        public uint Create(GL gl)
        {
            uint texture = gl.GenTexture();
            Texture = texture;
            gl.BindTexture(TextureTarget.Texture2D, texture);
            gl.TexStorage2D(TextureTarget.Texture2D, 1, SizedInternalFormat.Rgba8, (uint)width, (uint)height);
            gl.BindTexture(TextureTarget.Texture2D, 0);
            _framebuffer = gl.GenFramebuffer();
            gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, _framebuffer);
            gl.FramebufferTexture2D(FramebufferTarget.DrawFramebuffer, FramebufferAttachment.ColorAttachment0, TextureTarget.Texture2D, texture, 0);
            gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, 0);
            return texture;
        }

        /// <summary>
    /// A full-frame background whose colour changes every frame (constant when <c>partial</c>, so
    /// only the boxes' old and new places change), moving boxes, and the frame stamp.
    /// </summary>
        public void Render(GL gl, long frame)
        {
            // A ring of timer queries: a query is reused only after its result has been taken
            // (results of frames whose turn comes while not yet available are dropped).
            int slot = (int)(_rendered++ % _queries.Length);
            if (_queries[slot] == 0)
            {
                _queries[slot] = gl.GenQuery();
            }
            else
            {
                Take(gl, slot);
            }

            gl.BeginQuery(QueryTarget.TimeElapsed, _queries[slot]);
            _pending[slot] = true;
            Draw(gl, frame);
            gl.EndQuery(QueryTarget.TimeElapsed);
        }

        private void Draw(GL gl, long frame)
        {
            gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, _framebuffer);
            gl.Viewport(0, 0, (uint)width, (uint)height);
            if (kind == SceneKind.Static && frame > 0)
            {
                Clear(gl, 0, 0, 8, 8, (uint)(frame & 0xFFFFFF));
                gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, 0);
                return;
            }

            if (kind == SceneKind.Drawn)
            {
                DrawPattern(gl, frame);
            }
            else
            {
                Clear(gl, 0, 0, width, height, kind == SceneKind.Full ? (uint)(frame * 0x010307) & 0xFFFFFF : 0x203040u);
            }

            float t = frame / 60f;
            int box = Math.Max(8, Math.Min(width, height) / 6);
            for (int i = 0; i < 4; i++)
            {
                int x = (int)((Math.Cos(t * (1.1 + i * 0.3)) * 0.5 + 0.5) * (width - box));
                int y = (int)((Math.Sin(t * (0.9 + i * 0.25) + i) * 0.5 + 0.5) * (height - box));
                Clear(gl, x, y, box, box, (uint)(0xE04020 ^ (i * 0x30A050)));
            }

            Clear(gl, 0, 0, 8, 8, (uint)(frame & 0xFFFFFF));
            gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, 0);
        }

        private const string PatternFragment = """
            #version 330 core
            uniform float t;
            out vec4 color;
            void main()
            {
                vec2 p = gl_FragCoord.xy;
                color = vec4(fract(p.x / 97.0 + t), fract(p.y / 53.0 + t * 1.3), fract((p.x + p.y) / 211.0 - t * 0.7), 1.0);
            }
            """;

        private uint _program;
        private uint _vertexArray;
        private int _timeUniform;

        /// <summary>A full-frame triangle whose fragment shader paints a pattern that moves every frame (every pixel changes).</summary>
        private void DrawPattern(GL gl, long frame)
        {
            if (_program == 0)
            {
                _program = GlShaders.Link(gl, GlShaders.FullScreenTriangle, PatternFragment, out string? why);
                if (_program == 0)
                {
                    throw new GlException("The pattern's shaders: " + why);
                }

                _timeUniform = gl.GetUniformLocation(_program, "t");
                _vertexArray = gl.GenVertexArray();
            }

            gl.UseProgram(_program);
            gl.Uniform1(_timeUniform, (frame % 6000) / 600f);
            gl.BindVertexArray(_vertexArray);
            gl.DrawArrays(PrimitiveType.Triangles, 0, 3);
            gl.BindVertexArray(0);
            gl.UseProgram(0);
        }

        private void Clear(GL gl, int x, int y, int w, int h, uint rgb)
        {
            gl.Enable(EnableCap.ScissorTest);
            gl.Scissor(x, height - (y + h), (uint)w, (uint)h);
            gl.ClearColor(((rgb >> 16) & 0xFF) / 255f, ((rgb >> 8) & 0xFF) / 255f, (rgb & 0xFF) / 255f, 1f);
            gl.Clear(ClearBufferMask.ColorBufferBit);
            gl.Disable(EnableCap.ScissorTest);
        }
    }
}
