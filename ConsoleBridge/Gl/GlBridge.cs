using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Silk.NET.OpenGL;

namespace ConsoleBridge.Gl;

/// <summary>
/// The bridge's side of GL scanouts: an EGL display (the device platform on a GPU, Mesa's
/// surfaceless platform elsewhere), one GL context owned by one dedicated thread, and a consumer
/// thread that moves read-back rows into the consoles' shadows. Consoles that show GL scanouts
/// are given it through <see cref="DisplayConsole.Gl"/>; their GL calls only queue work here.
/// </summary>
/// <remarks>
/// For each head the GL thread reads the damaged rectangle into one pixel-pack buffer of a ring
/// and puts a fence behind it; the consumer takes a buffer only after its fence reports signalled
/// to a zero-timeout poll, so the GPU never waits for the CPU and the CPU never waits for the GPU.
/// While every buffer of a head is busy, further damage is merged and read when one comes back.
/// </remarks>
public sealed unsafe class GlBridge : IDisposable
{
    private const int GlContextLost = 0x0507;
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMicroseconds(200);

    private readonly GlBridgeOptions _options;
    private readonly ILogger? _logger;
    private readonly ConcurrentQueue<GlCommand> _commands = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly ConcurrentQueue<(GlHead Head, PboSlot Slot)> _ready = new();
    private readonly AutoResetEvent _readyWake = new(false);
    private readonly HashSet<GlHead> _heads = new();
    private readonly Thread _glThread;
    private readonly Thread _consumerThread;
    private readonly Dictionary<uint, ulong[]> _dmaBufFormats = new();
    private readonly DrmFourcc _rowFormat;
    private EglDisplay? _display;
    private EglContext? _context;
    private GpuDamageDetector? _detector;
    private Exception? _startFailure;
    private byte[] _syncBuffer = [];
    private readonly PixelRect[] _oneRect = new PixelRect[1];
    private long _statReadbacks;
    private long _statBytes;
    private long _statGpuTicks;
    private long _statConsumeTicks;
    private long _statGpuNanoseconds;
    private long _statGpuTimed;
    private volatile bool _stopping;
    private bool _disposed;

    /// <summary>
    /// Opens the EGL display, creates the context on the bridge's GL thread and starts it.
    /// Throws <see cref="GlException"/> when EGL, the platform or a needed extension is missing.
    /// </summary>
    public GlBridge(GlBridgeOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new GlBridgeOptions();
        if (_options.RingDepth is < 2 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"RingDepth must be 2..16; got {_options.RingDepth}.");
        }

        if (_options.ReadStrips is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"ReadStrips must be 1..16; got {_options.ReadStrips}.");
        }

        _logger = logger;
        _rowFormat = _options.ReadFormat == GlReadFormat.Rgba ? DrmFourcc.Abgr8888 : DrmFourcc.Argb8888;
        using var started = new ManualResetEventSlim();
        _glThread = new Thread(() => GlThread(started)) { IsBackground = true, Name = "GL scanout" };
        _glThread.Start();
        started.Wait();
        if (_startFailure is not null)
        {
            _glThread.Join();
            _wake.Dispose();
            _readyWake.Dispose();
            throw _startFailure as GlException ?? new GlException("The GL context could not be created: " + _startFailure.Message, _startFailure);
        }

        _consumerThread = new Thread(ConsumerThread) { IsBackground = true, Name = "GL scanout consumer" };
        _consumerThread.Start();
    }

    /// <summary>The EGL display (an <c>EGLDisplay</c>) the bridge's context lives on; shared EGLImages must be made on it.</summary>
    public nint EglDisplay => _display!.Handle;

    /// <summary>The platform in use.</summary>
    public EglPlatform Platform => _display!.Platform;

    /// <summary>The DRM device file of the EGL device, or the platform's name.</summary>
    public string DeviceName => _display!.DeviceName;

    /// <summary>GL_RENDERER of the bridge's context (for example "llvmpipe (LLVM 15.0.6, 256 bits)").</summary>
    public string Renderer { get; private set; } = "";

    /// <summary>Whether dma-bufs can be imported (<c>EGL_EXT_image_dma_buf_import</c>).</summary>
    public bool CanImportDmaBuf => _display!.CanImportDmaBuf;

    /// <summary>Whether dma-bufs with an explicit modifier can be imported (<c>EGL_EXT_image_dma_buf_import_modifiers</c>).</summary>
    public bool CanImportModifiers => _display!.CanImportModifiers;

    /// <summary>Whether the display can export textures as dma-bufs (<c>EGL_MESA_image_dma_buf_export</c>); for producers.</summary>
    public bool CanExportDmaBuf => _display!.CanExportDmaBuf;

    /// <summary>Whether the ring's buffers are persistently mapped (buffer storage is available and enabled).</summary>
    public bool PersistentMapping { get; private set; }

    /// <summary>Whether damage is detected on the GPU (<see cref="GlBridgeOptions.GpuDamageDetection"/> asked for it and the context has compute shaders).</summary>
    public bool GpuDamageDetection { get; private set; }

    /// <summary>Whether GPU damage detection runs through the fragment-shader fallback rather than a compute shader.</summary>
    internal bool DamageDetectionByFragmentShaders => _detector?.UsesFragmentShaders == true;

    /// <summary>
    /// Bytes of pixels read back into the shadows so far (all heads): with GPU damage detection,
    /// these follow the tiles that changed, not the rectangles reported.
    /// </summary>
    public long BytesReadBack => Interlocked.Read(ref _statBytes);

    /// <summary>
    /// The readback pair the driver names as its preferred one for the last scanout bound
    /// (<c>GL_IMPLEMENTATION_COLOR_READ_FORMAT</c> and <c>_TYPE</c>), for diagnostics.
    /// </summary>
    internal (int Format, int Type) PreferredReadFormat { get; private set; }

    /// <summary>The settings the bridge runs with.</summary>
    public GlBridgeOptions Options => _options;

    internal EglDisplay Display => _display!;

    /// <summary>
    /// For benchmarks: readbacks delivered, their bytes, the summed time from issuing glReadPixels to
    /// seeing its fence signalled (ring) or the blocking glReadPixels itself (synchronous), and the
    /// summed time of the copies into the shadow.
    /// </summary>
    internal (long Readbacks, long Bytes, TimeSpan Gpu, TimeSpan Consume) Statistics =>
        (Interlocked.Read(ref _statReadbacks), Interlocked.Read(ref _statBytes),
         Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _statGpuTicks)), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _statConsumeTicks)));

    /// <summary>
    /// For benchmarks (<see cref="GlBridgeOptions.MeasureGpuTime"/>): readbacks timed on the GPU
    /// and their summed GPU time (GL_TIME_ELAPSED from the first glReadPixels to the end of the copy).
    /// </summary>
    internal (long Timed, TimeSpan GpuTime) GpuTimeStatistics =>
        (Interlocked.Read(ref _statGpuTimed), TimeSpan.FromTicks(Interlocked.Read(ref _statGpuNanoseconds) / 100));

    internal ILogger? Logger => _logger;

    /// <summary>The formats and modifiers the driver lists for import (empty when it lists none).</summary>
    internal IReadOnlyDictionary<uint, ulong[]> DmaBufFormats => _dmaBufFormats;

    internal void Post(GlCommand command)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _commands.Enqueue(command);
        _wake.Set();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping = true;
        _wake.Set();
        _readyWake.Set();
        if (Thread.CurrentThread != _glThread)
        {
            _glThread.Join();
        }

        if (Thread.CurrentThread != _consumerThread)
        {
            _consumerThread.Join();
        }
    }

    private void GlThread(ManualResetEventSlim started)
    {
        try
        {
            string? platform = Environment.GetEnvironmentVariable("RFB_EGL_PLATFORM");
            EglPlatform requested = _options.Platform;
            if (requested == EglPlatform.Auto && !string.IsNullOrEmpty(platform))
            {
                requested = platform.ToLowerInvariant() switch
                {
                    "device" => EglPlatform.Device,
                    "surfaceless" => EglPlatform.Surfaceless,
                    _ => throw new GlException($"RFB_EGL_PLATFORM={platform}: expected 'device' or 'surfaceless'."),
                };
            }

            _display = Gl.EglDisplay.Open(requested, _options.DeviceIndex);
            foreach ((uint format, ulong[] modifiers) in _display.QueryDmaBufFormats())
            {
                _dmaBufFormats[format] = modifiers;
            }

            CreateContext();
        }
        catch (Exception ex)
        {
            _startFailure = ex;
            started.Set();
            return;
        }

        started.Set();
        try
        {
            RunLoop();
        }
        catch (Exception ex)
        {
            _logger?.LogCritical(ex, "The GL scanout thread failed; GL heads keep their last frame");
        }
        finally
        {
            Shutdown();
        }
    }

    private void CreateContext()
    {
        _context = EglContext.Create(_display!);
        if (EglExtensions.Instance.ImageTargetTexture2D == null || !_context.HasGlExtension("GL_OES_EGL_image"))
        {
            _context.Dispose();
            _context = null;
            throw new GlException("The GL context has no GL_OES_EGL_image (glEGLImageTargetTexture2DOES).");
        }

        Renderer = _context.Renderer;
        GlDiagnostics.Attach(_context.Gl);
        PersistentMapping = _options.PersistentMapping && (_context.Version >= 44 || _context.HasGlExtension("GL_ARB_buffer_storage"));
        _context.Gl.PixelStore(PixelStoreParameter.PackAlignment, 4);
        _context.Gl.PixelStore(PixelStoreParameter.PackRowLength, 0);
        GpuDamageDetection = false;
        if (_options.GpuDamageDetection && _options.ReadbackMode == GlReadbackMode.PboRing)
        {
            _detector = GpuDamageDetector.TryCreate(_context, _options.FragmentDamageDetection, out string? why);
            GpuDamageDetection = _detector is not null;
            if (_detector is { UsesFragmentShaders: true })
            {
                _logger?.LogInformation("GPU damage detection uses fragment shaders ({Why})", _context.Version < 43 ? "no compute shaders below GL 4.3" : "asked for");
            }

            if (_detector is null)
            {
                _logger?.LogWarning("GPU damage detection is off: {Why}", why);
            }
        }

        _logger?.LogInformation("GL scanouts: {Renderer}, GL {Version}, EGL {Platform} on {Device}, ring of {Depth}, {Mapping} mapping, {Staged}, {Strips} strip(s), GPU damage detection {Detection}",
            Renderer, _context.Version, _display!.Platform, _display.DeviceName, _options.RingDepth, PersistentMapping ? "persistent" : "per-readback",
            _options.StagedReadback ? "staged through GPU memory" : "direct", _options.ReadStrips, GpuDamageDetection ? "on" : "off");
    }

    private void RunLoop()
    {
        while (!_stopping)
        {
            while (_commands.TryDequeue(out GlCommand? command))
            {
                Execute(command);
            }

            bool busy = false;
            foreach (GlHead head in _heads)
            {
                TakeBackReturned(head);
                PollFences(head);
                Issue(head);
                busy |= head.InFlight.Count > 0 || head.DetectFence != 0;
            }

            if (busy)
            {
                _context!.Gl.Flush();
            }

            if (_context!.Gl.GetError() == (GLEnum)GlContextLost)
            {
                LoseContext("the driver reported GL_CONTEXT_LOST");
                continue;
            }

            // Fences are polled, never waited for: with readbacks in flight the thread looks again
            // shortly (or at once when a command or a returned buffer arrives).
            if (busy)
            {
                _wake.WaitOne(s_pollInterval);
            }
            else
            {
                _wake.WaitOne();
            }
        }
    }

    private void Execute(GlCommand command)
    {
        GlHead head = command.Head;
        _heads.Add(head);
        switch (command)
        {
            case GlCommand.ScanoutDmaBuf c:
                try
                {
                    if (c.Serial == head.Console.GlSerial)
                    {
                        Scanout(head, c.Serial, () => ImportDmaBuf(c.Scanout, c.Fds), true, c.Scanout.BackingWidth, c.Scanout.BackingHeight,
                            ViewOf(c.Scanout.X, c.Scanout.Y, c.Scanout.Width, c.Scanout.Height, c.Scanout.BackingWidth, c.Scanout.BackingHeight), c.Scanout.Y0Top);
                    }
                }
                finally
                {
                    foreach (int fd in c.Fds)
                    {
                        Libc.Close(fd);
                    }
                }

                break;
            case GlCommand.ScanoutTexture c:
                if (c.Serial == head.Console.GlSerial)
                {
                    Scanout(head, c.Serial, () => c.Scanout.EglImage, false, c.Scanout.BackingWidth, c.Scanout.BackingHeight,
                        ViewOf(c.Scanout.X, c.Scanout.Y, c.Scanout.Width, c.Scanout.Height, c.Scanout.BackingWidth, c.Scanout.BackingHeight), c.Scanout.Y0Top);
                }

                break;
            case GlCommand.ScanoutOwnTexture c:
                if (c.Serial == head.Console.GlSerial)
                {
                    uint texture = c.CreateTexture(_context!.Gl);
                    Scanout(head, c.Serial, () => 0, false, c.Width, c.Height, new PixelRect(0, 0, c.Width, c.Height), c.Y0Top, texture);
                }

                break;
            case GlCommand.Invoke c:
                c.Action(_context!.Gl);
                break;
            case GlCommand.Update c:
                if (c.Sync != 0)
                {
                    // A fence of the producer: the GPU waits for it before our reads, the CPU does not.
                    EglExtensions ext = EglExtensions.Instance;
                    if (_display!.CanWaitSync)
                    {
                        ext.WaitSync(_display.Handle, c.Sync, 0);
                    }

                    ext.DestroySync(_display.Handle, c.Sync);
                }

                if (head.Active && c.Serial == head.Serial)
                {
                    PixelRect rect = c.Rect.Intersect(new PixelRect(0, 0, head.Width, head.Height));
                    if (!rect.IsEmpty)
                    {
                        if (head.Damage.IsEmpty)
                        {
                            head.DamageTimestamp = Stopwatch.GetTimestamp();
                        }

                        head.Damage = head.Damage.Union(rect);

                        // Read now when a buffer is free, before the commands queued behind this
                        // update (the producer's next frame, when it draws through this thread):
                        // the readback then holds the frame the update announced, in GPU order,
                        // rather than a later one with the frames between them never read.
                        TakeBackReturned(head);
                        Issue(head);
                    }
                }

                break;
            case GlCommand.Release:
                TearDown(head);
                break;
            case GlCommand.LoseContext:
                LoseContext("a lost context was simulated");
                break;
        }
    }

    private static PixelRect ViewOf(int x, int y, int width, int height, int backingWidth, int backingHeight) =>
        new(x, y, width == 0 ? backingWidth - x : width, height == 0 ? backingHeight - y : height);

    private void Scanout(GlHead head, long serial, Func<nint> image, bool ownsImage, int backingWidth, int backingHeight, PixelRect view, bool y0Top, uint ownTexture = 0)
    {
        TearDown(head);
        head.Texture = ownTexture; // a texture of this context (the benchmark's); 0: one is made for the image
        try
        {
            nint handle = image();
            head.Image = handle;
            head.OwnsImage = ownsImage;
            BindImage(head, handle);
            head.Active = true;
            head.Serial = serial;
            head.BackingWidth = backingWidth;
            head.BackingHeight = backingHeight;
            head.View = view;
            head.Y0Top = y0Top;
            head.Damage = new PixelRect(0, 0, view.Width, view.Height);
            head.DamageTimestamp = Stopwatch.GetTimestamp();
        }
        catch (GlException ex)
        {
            TearDown(head);
            Report(head, ex);
        }
    }

    private nint ImportDmaBuf(DmaBufScanout scanout, int[] fds)
    {
        if (!_display!.CanImportDmaBuf)
        {
            throw new GlException($"The EGL display ({_display.DeviceName}) cannot import dma-bufs: no EGL_EXT_image_dma_buf_import.");
        }

        int* attributes = stackalloc int[64];
        int n = 0;
        attributes[n++] = Egl.Width;
        attributes[n++] = scanout.BackingWidth;
        attributes[n++] = Egl.Height;
        attributes[n++] = scanout.BackingHeight;
        attributes[n++] = Egl.LinuxDrmFourccExt;
        attributes[n++] = (int)scanout.Fourcc;
        for (int i = 0; i < scanout.Planes.Count; i++)
        {
            attributes[n++] = Egl.PlaneFd[i];
            attributes[n++] = fds[i];
            attributes[n++] = Egl.PlaneOffset[i];
            attributes[n++] = scanout.Planes[i].Offset;
            attributes[n++] = Egl.PlanePitch[i];
            attributes[n++] = scanout.Planes[i].Stride;
            if (scanout.Modifier is ulong modifier)
            {
                attributes[n++] = Egl.PlaneModifierLo[i];
                attributes[n++] = (int)(uint)modifier;
                attributes[n++] = Egl.PlaneModifierHi[i];
                attributes[n++] = (int)(uint)(modifier >> 32);
            }
        }

        attributes[n] = Egl.None;
        nint image = EglExtensions.Instance.CreateImage(_display.Handle, 0, Egl.LinuxDmaBufExt, 0, attributes);
        if (image == 0)
        {
            int error = Egl.GetError();
            string why = error switch
            {
                Egl.BadMatch => "the driver does not support this format, modifier or layout",
                Egl.BadAccess => "a file descriptor is not an importable dma-buf",
                Egl.BadParameter or Egl.BadAttribute => "a plane's file descriptor, offset or pitch is not valid for the buffer",
                Egl.BadAlloc => "the driver could not allocate the image",
                _ => "the driver refused the buffer",
            };
            throw new GlException($"Importing the dma-buf ({FourccName(scanout.Fourcc)}, {scanout.BackingWidth}x{scanout.BackingHeight}, " +
                $"{scanout.Planes.Count} plane(s), modifier {(scanout.Modifier is ulong m ? $"0x{m:x16}" : "implicit")}) failed with {Egl.ErrorName(error)}: {why}.")
            {
                EglError = error,
            };
        }

        return image;
    }

    internal static string FourccName(uint fourcc)
    {
        Span<char> name = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            char c = (char)((fourcc >> (8 * i)) & 0xFF);
            name[i] = c is >= ' ' and <= '~' ? c : '?';
        }

        return $"'{name}' (0x{fourcc:x8})";
    }

    private void BindImage(GlHead head, nint image)
    {
        GL gl = _context!.Gl;
        if (image != 0)
        {
            gl.GetError();
            head.Texture = gl.GenTexture();
            gl.BindTexture(TextureTarget.Texture2D, head.Texture);
            EglExtensions.Instance.ImageTargetTexture2D((uint)TextureTarget.Texture2D, image);
            GLEnum error = gl.GetError();
            gl.BindTexture(TextureTarget.Texture2D, 0);
            if (error != GLEnum.NoError)
            {
                throw new GlException($"glEGLImageTargetTexture2DOES refused the image: GL error 0x{(int)error:x4}.");
            }
        }

        head.Framebuffer = gl.GenFramebuffer();
        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, head.Framebuffer);
        gl.FramebufferTexture2D(FramebufferTarget.ReadFramebuffer, FramebufferAttachment.ColorAttachment0, TextureTarget.Texture2D, head.Texture, 0);
        GLEnum status = gl.CheckFramebufferStatus(FramebufferTarget.ReadFramebuffer);
        if (status == GLEnum.FramebufferComplete)
        {
            PreferredReadFormat = (gl.GetInteger(GetPName.ImplementationColorReadFormat), gl.GetInteger(GetPName.ImplementationColorReadType));
        }

        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, 0);
        if (status != GLEnum.FramebufferComplete)
        {
            throw new GlException($"The scanout's texture cannot be read through a framebuffer: status 0x{(int)status:x4}.");
        }
    }

    private void TearDown(GlHead head)
    {
        head.Active = false;
        head.Damage = default;
        if (_context is null)
        {
            return;
        }

        GL gl = _context.Gl;
        GpuDamageDetector.ReleaseObjects(gl, head);
        if (head.Framebuffer != 0)
        {
            gl.DeleteFramebuffer(head.Framebuffer);
            head.Framebuffer = 0;
        }

        if (head.Texture != 0)
        {
            gl.DeleteTexture(head.Texture);
            head.Texture = 0;
        }

        if (head.OwnsImage && head.Image != 0)
        {
            EglExtensions.Instance.DestroyImage(_display!.Handle, head.Image);
        }

        head.Image = 0;
        head.OwnsImage = false;
    }

    private void Report(GlHead head, GlException error)
    {
        _logger?.LogError("GL scanout failed; the head keeps its last frame until the next scanout: {Message}", error.Message);
        try
        {
            head.Console.RaiseScanoutFailed(error);
        }
        catch (Exception ex)
        {
            _logger?.LogError(ex, "A ScanoutFailed handler threw");
        }
    }

    private void Issue(GlHead head)
    {
        if (!head.Active)
        {
            return;
        }

        if (_options.ReadbackMode == GlReadbackMode.Synchronous)
        {
            if (!head.Damage.IsEmpty)
            {
                ReadSynchronously(head);
            }

            return;
        }

        if (_detector is not null)
        {
            if (head.DetectFence != 0)
            {
                return; // the flags of the last comparison are not back yet
            }

            if (head.PendingParts.Count == 0)
            {
                if (!head.Damage.IsEmpty)
                {
                    // Compare first; the changed tiles are read once the flags are back.
                    head.DetectTimestamp = head.DamageTimestamp;
                    try
                    {
                        _detector.Dispatch(head, head.Damage);
                        head.Damage = default;
                    }
                    catch (GlException ex)
                    {
                        // Reading what was reported still works: detection stops, the damage stays.
                        _logger?.LogError(ex, "GPU damage detection is turned off");
                        foreach (GlHead h in _heads)
                        {
                            if (h.DetectFence != 0 || h.PendingParts.Count > 0)
                            {
                                h.Damage = h.Damage.Union(h.DetectRect);
                            }

                            GpuDamageDetector.ReleaseObjects(_context!.Gl, h);
                        }

                        _detector.Dispose();
                        _detector = null;
                        GpuDamageDetection = false;
                    }
                }

                return;
            }

            PboSlot? free = TakeFreeSlot(head);
            if (free is not null)
            {
                ReadInto(head, free, head.PendingParts, head.DetectTimestamp);
                head.PendingParts.Clear();
            }

            return;
        }

        if (head.Damage.IsEmpty)
        {
            return;
        }

        PboSlot? slot = TakeFreeSlot(head);
        if (slot is null)
        {
            return; // every buffer is busy: the damage waits, merged with what comes next
        }

        _oneRect[0] = head.Damage;
        head.Damage = default;
        ReadInto(head, slot, _oneRect, head.DamageTimestamp);
    }

    private static PboSlot? TakeFreeSlot(GlHead head)
    {
        for (int i = 0; i < head.Slots.Length; i++)
        {
            PboSlot candidate = head.Slots[(head.NextSlot + i) % head.Slots.Length];
            if (candidate.State == PboSlotState.Free)
            {
                head.NextSlot = (head.NextSlot + i + 1) % head.Slots.Length;
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads <paramref name="rects"/> (head coordinates) into the slot's buffer, one after the other,
    /// each in <see cref="GlBridgeOptions.ReadStrips"/> strips; when staged, through the slot's GPU
    /// buffer and glCopyBufferSubData. Puts a fence behind it all.
    /// </summary>
    private void ReadInto(GlHead head, PboSlot slot, IReadOnlyList<PixelRect> rects, long updateTimestamp)
    {
        GL gl = _context!.Gl;
        slot.Parts.Clear();
        long total = 0;
        PixelRect bounds = default;
        foreach (PixelRect rect in rects)
        {
            slot.Parts.Add((rect, total));
            total += (long)rect.Width * 4 * rect.Height;
            bounds = bounds.Union(rect);
        }

        bool staged = _options.StagedReadback;
        EnsureCapacity(gl, slot, total);
        if (staged)
        {
            EnsureDeviceCapacity(gl, slot, total);
        }

        if (_options.MeasureGpuTime)
        {
            if (slot.TimerQuery == 0)
            {
                slot.TimerQuery = gl.GenQuery();
            }

            gl.BeginQuery(QueryTarget.TimeElapsed, slot.TimerQuery);
        }

        int strips = _options.ReadStrips;
        bool copyPerStrip = staged && strips > 1;
        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, head.Framebuffer);
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, staged ? slot.DeviceBuffer : slot.Buffer);
        if (staged)
        {
            gl.BindBuffer(BufferTargetARB.CopyReadBuffer, slot.DeviceBuffer);
            gl.BindBuffer(BufferTargetARB.CopyWriteBuffer, slot.Buffer);
        }

        foreach ((PixelRect rect, long offset) in slot.Parts)
        {
            // Buffer row j holds GL row glY + j, whichever way the scanout is stored.
            (int glX, int glY) = GlOrigin(head, rect);
            int stride = rect.Width * 4;
            int n = Math.Min(strips, rect.Height);
            for (int s = 0; s < n; s++)
            {
                int r0 = rect.Height * s / n;
                int r1 = rect.Height * (s + 1) / n;
                long at = offset + (long)r0 * stride;
                gl.ReadPixels(glX, glY + r0, (uint)rect.Width, (uint)(r1 - r0), ReadPixelFormat, ReadPixelType, (void*)at);
                if (copyPerStrip)
                {
                    gl.CopyBufferSubData(CopyBufferSubDataTarget.CopyReadBuffer, CopyBufferSubDataTarget.CopyWriteBuffer, (nint)at, (nint)at, (nuint)((long)(r1 - r0) * stride));
                }
            }
        }

        if (staged && !copyPerStrip)
        {
            gl.CopyBufferSubData(CopyBufferSubDataTarget.CopyReadBuffer, CopyBufferSubDataTarget.CopyWriteBuffer, 0, 0, (nuint)total);
        }

        if (_options.MeasureGpuTime)
        {
            gl.EndQuery(QueryTarget.TimeElapsed);
        }

        slot.Fence = gl.FenceSync(SyncCondition.SyncGpuCommandsComplete, SyncBehaviorFlags.None);
        GlDiagnostics.TimeFence(gl, slot.Fence);
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
        if (staged)
        {
            gl.BindBuffer(BufferTargetARB.CopyReadBuffer, 0);
            gl.BindBuffer(BufferTargetARB.CopyWriteBuffer, 0);
        }

        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, 0);
        slot.Rect = bounds;
        slot.Bytes = total;
        slot.BottomUp = !head.Y0Top;
        slot.Serial = head.Serial;
        slot.HeadWidth = head.Width;
        slot.HeadHeight = head.Height;
        slot.UpdateTimestamp = updateTimestamp;
        slot.IssueTimestamp = Stopwatch.GetTimestamp();
        slot.State = PboSlotState.InFlight;
        head.InFlight.Enqueue(slot);
    }

    private PixelFormat ReadPixelFormat => _options.ReadFormat == GlReadFormat.Rgba ? PixelFormat.Rgba : PixelFormat.Bgra;

    private PixelType ReadPixelType => _options.ReadFormat == GlReadFormat.BgraInt8888Rev ? PixelType.UnsignedInt8888Rev : PixelType.UnsignedByte;

    /// <summary>Where a head rectangle starts in GL's bottom-left-based window coordinates of the texture.</summary>
    private static (int X, int Y) GlOrigin(GlHead head, PixelRect rect)
    {
        int x = head.View.X + rect.X;
        int y = head.Y0Top ? head.View.Y + rect.Y : head.BackingHeight - (head.View.Y + rect.Bottom);
        return (x, y);
    }

    private void EnsureCapacity(GL gl, PboSlot slot, long bytes)
    {
        if (slot.Capacity >= bytes)
        {
            return;
        }

        if (slot.Buffer != 0)
        {
            gl.DeleteBuffer(slot.Buffer); // deleting unmaps a persistent mapping
        }

        slot.Buffer = gl.GenBuffer();
        slot.Persistent = PersistentMapping;
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, slot.Buffer);
        if (slot.Persistent)
        {
            BufferStorageMask flags = BufferStorageMask.MapReadBit | BufferStorageMask.MapPersistentBit | BufferStorageMask.MapCoherentBit;
            if (_options.ClientStorageHint)
            {
                flags |= BufferStorageMask.ClientStorageBit;
            }

            gl.BufferStorage(BufferStorageTarget.PixelPackBuffer, (nuint)bytes, null, flags);
            slot.Mapped = (nint)gl.MapBufferRange(BufferTargetARB.PixelPackBuffer, 0, (nuint)bytes,
                MapBufferAccessMask.ReadBit | MapBufferAccessMask.PersistentBit | MapBufferAccessMask.CoherentBit);
            if (slot.Mapped == 0)
            {
                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
                throw new GlException($"glMapBufferRange of a persistent {bytes}-byte pixel-pack buffer failed: GL error 0x{(int)gl.GetError():x4}.");
            }
        }
        else
        {
            gl.BufferData(BufferTargetARB.PixelPackBuffer, (nuint)bytes, null, BufferUsageARB.StreamRead);
            slot.Mapped = 0;
        }

        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
        slot.Capacity = bytes;
    }

    /// <summary>Staged readback: a buffer the CPU never maps (GL_STREAM_COPY), which drivers keep in GPU memory.</summary>
    private static void EnsureDeviceCapacity(GL gl, PboSlot slot, long bytes)
    {
        if (slot.DeviceCapacity >= bytes)
        {
            return;
        }

        if (slot.DeviceBuffer != 0)
        {
            gl.DeleteBuffer(slot.DeviceBuffer);
        }

        slot.DeviceBuffer = gl.GenBuffer();
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, slot.DeviceBuffer);
        gl.BufferData(BufferTargetARB.PixelPackBuffer, (nuint)bytes, null, BufferUsageARB.StreamCopy);
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
        slot.DeviceCapacity = bytes;
    }

    private void PollFences(GlHead head)
    {
        GL gl = _context!.Gl;
        if (head.DetectFence != 0)
        {
            GLEnum detected = gl.ClientWaitSync(head.DetectFence, 0u, 0);
            if (detected != GLEnum.TimeoutExpired)
            {
                gl.DeleteSync(head.DetectFence);
                head.DetectFence = 0;
                if (detected == GLEnum.WaitFailed)
                {
                    _logger?.LogError("glClientWaitSync failed on the damage flags (GL error 0x{Error:x4}); {Rect} is read whole", (int)gl.GetError(), head.DetectRect);
                    head.PendingParts.Add(head.DetectRect);
                }
                else
                {
                    try
                    {
                        _detector!.Collect(head, head.PendingParts);
                    }
                    catch (GlException ex)
                    {
                        _logger?.LogError("{Message}; {Rect} is read whole", ex.Message, head.DetectRect);
                        head.PendingParts.Add(head.DetectRect);
                    }
                }
            }
        }

        while (head.InFlight.TryPeek(out PboSlot? slot))
        {
            GLEnum result = gl.ClientWaitSync(slot.Fence, 0u, 0);
            if (result == GLEnum.TimeoutExpired)
            {
                return;
            }

            head.InFlight.Dequeue();
            Interlocked.Add(ref _statGpuTicks, Stopwatch.GetTimestamp() - slot.IssueTimestamp);
            gl.DeleteSync(slot.Fence);
            slot.Fence = 0;
            if (slot.TimerQuery != 0 && _options.MeasureGpuTime)
            {
                gl.GetQueryObject(slot.TimerQuery, QueryObjectParameterName.ResultAvailable, out int available);
                if (available != 0)
                {
                    gl.GetQueryObject(slot.TimerQuery, QueryObjectParameterName.Result, out ulong nanoseconds);
                    Interlocked.Add(ref _statGpuNanoseconds, (long)nanoseconds);
                    Interlocked.Increment(ref _statGpuTimed);
                }
            }

            if (result == GLEnum.WaitFailed)
            {
                _logger?.LogError("glClientWaitSync failed (GL error 0x{Error:x4}); the readback of {Rect} is dropped", (int)gl.GetError(), slot.Rect);
                slot.State = PboSlotState.Free;
                continue;
            }

            if (!slot.Persistent)
            {
                // The fence has signalled, so this mapping does not wait for the GPU.
                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, slot.Buffer);
                slot.Mapped = (nint)gl.MapBufferRange(BufferTargetARB.PixelPackBuffer, 0, (nuint)slot.Bytes, MapBufferAccessMask.ReadBit);
                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
                if (slot.Mapped == 0)
                {
                    _logger?.LogError("glMapBufferRange failed (GL error 0x{Error:x4}); the readback of {Rect} is dropped", (int)gl.GetError(), slot.Rect);
                    slot.State = PboSlotState.Free;
                    continue;
                }
            }

            slot.State = PboSlotState.Consuming;
            _ready.Enqueue((head, slot));
            _readyWake.Set();
        }
    }

    private void TakeBackReturned(GlHead head)
    {
        while (head.Returned.TryDequeue(out PboSlot? slot))
        {
            if (!slot.Persistent && slot.Mapped != 0 && _context is not null)
            {
                GL gl = _context.Gl;
                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, slot.Buffer);
                gl.UnmapBuffer(BufferTargetARB.PixelPackBuffer);
                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
                slot.Mapped = 0;
            }

            slot.State = PboSlotState.Free;
        }
    }

    /// <summary>What QEMU's egl-headless does: the whole scanout, read on this thread while the GPU finishes.</summary>
    private void ReadSynchronously(GlHead head)
    {
        GL gl = _context!.Gl;
        var rect = new PixelRect(0, 0, head.Width, head.Height);
        head.Damage = default;
        int stride = rect.Width * 4;
        int bytes = stride * rect.Height;
        if (_syncBuffer.Length < bytes)
        {
            _syncBuffer = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        }

        (int glX, int glY) = GlOrigin(head, rect);
        long t0 = Stopwatch.GetTimestamp();
        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, head.Framebuffer);
        fixed (byte* p = _syncBuffer)
        {
            gl.ReadPixels(glX, glY, (uint)rect.Width, (uint)rect.Height, ReadPixelFormat, ReadPixelType, p);
        }

        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, 0);
        long t1 = Stopwatch.GetTimestamp();
        head.Console.ApplyScanoutRows(head.Serial, head.Width, head.Height, rect, _syncBuffer.AsSpan(0, bytes), stride, _rowFormat, !head.Y0Top);
        Interlocked.Add(ref _statGpuTicks, t1 - t0);
        Interlocked.Add(ref _statConsumeTicks, Stopwatch.GetTimestamp() - t1);
        Interlocked.Increment(ref _statReadbacks);
        Interlocked.Add(ref _statBytes, bytes);
    }

    private void ConsumerThread()
    {
        while (true)
        {
            if (!_ready.TryDequeue(out (GlHead Head, PboSlot Slot) item))
            {
                if (_stopping)
                {
                    return;
                }

                _readyWake.WaitOne();
                continue;
            }

            PboSlot slot = item.Slot;
            try
            {
                if (!_stopping)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    foreach ((PixelRect rect, long offset) in slot.Parts)
                    {
                        int stride = rect.Width * 4;
                        var rows = new ReadOnlySpan<byte>((byte*)slot.Mapped + offset, checked(stride * rect.Height));
                        item.Head.Console.ApplyScanoutRows(slot.Serial, slot.HeadWidth, slot.HeadHeight, rect, rows, stride, _rowFormat, slot.BottomUp);
                    }

                    Interlocked.Add(ref _statConsumeTicks, Stopwatch.GetTimestamp() - t0);
                    Interlocked.Increment(ref _statReadbacks);
                    Interlocked.Add(ref _statBytes, slot.Bytes);
                }
            }
            catch (Exception ex)
            {
                _logger?.LogError(ex, "Copying a GL readback into the shadow failed");
            }
            finally
            {
                item.Head.Returned.Enqueue(slot);
                _wake.Set();
            }
        }
    }

    /// <summary>
    /// The context is gone: every head loses its scanout (and keeps its last frame), the buffers
    /// the consumer still reads are waited for, and a fresh context replaces the old one, so the
    /// next scanout works again.
    /// </summary>
    private void LoseContext(string why)
    {
        _logger?.LogError("The GL context was lost ({Why}); creating a new one", why);
        foreach (GlHead head in _heads)
        {
            bool wasActive = head.Active;
            head.Active = false;
            head.Damage = default;
            if (wasActive)
            {
                Report(head, new GlException($"The GL context was lost ({why}); the head keeps its last frame until the next scanout.") { EglError = Egl.ContextLost });
            }
        }

        DrainAndDelete();
        foreach (GlHead head in _heads)
        {
            head.Texture = 0;
            head.Framebuffer = 0;
            head.Image = 0;
            head.OwnsImage = false;
            GpuDamageDetector.ReleaseObjects(_context?.Gl, head);
        }

        _detector?.Dispose();
        _detector = null;
        _context?.Dispose();
        _context = null;
        try
        {
            CreateContext();
        }
        catch (GlException ex)
        {
            _logger?.LogCritical(ex, "A new GL context could not be created; GL scanouts stay off");
            _stopping = true;
        }
    }

    /// <summary>Waits (for the consumer, a CPU copy) until every buffer is back, then forgets the ring's GL objects.</summary>
    private void DrainAndDelete()
    {
        foreach (GlHead head in _heads)
        {
            head.InFlight.Clear();
            foreach (PboSlot slot in head.Slots)
            {
                while (slot.State == PboSlotState.Consuming)
                {
                    TakeBackReturned(head);
                    if (slot.State == PboSlotState.Consuming)
                    {
                        _wake.WaitOne(TimeSpan.FromMilliseconds(5));
                    }
                }

                if (_context is not null)
                {
                    if (slot.Fence != 0)
                    {
                        _context.Gl.DeleteSync(slot.Fence);
                    }

                    if (slot.Buffer != 0)
                    {
                        _context.Gl.DeleteBuffer(slot.Buffer);
                    }

                    if (slot.DeviceBuffer != 0)
                    {
                        _context.Gl.DeleteBuffer(slot.DeviceBuffer);
                    }

                    if (slot.TimerQuery != 0)
                    {
                        _context.Gl.DeleteQuery(slot.TimerQuery);
                    }
                }

                slot.Fence = 0;
                slot.Buffer = 0;
                slot.DeviceBuffer = 0;
                slot.DeviceCapacity = 0;
                slot.TimerQuery = 0;
                slot.Capacity = 0;
                slot.Mapped = 0;
                slot.State = PboSlotState.Free;
            }
        }
    }

    private void Shutdown()
    {
        _stopping = true;
        _readyWake.Set();
        try
        {
            foreach (GlHead head in _heads)
            {
                TearDown(head);
            }

            DrainAndDelete();
            _detector?.Dispose();
            _detector = null;
            _context?.Dispose();
            _context = null;
        }
        catch (Exception ex)
        {
            _logger?.LogError(ex, "Releasing the GL context failed");
        }
    }
}
