using ConsoleBridge.Damage;
using ConsoleBridge.Gl;
using ConsoleBridge.Surfaces;

namespace ConsoleBridge;

// GL scanouts: the console side. The emulator's calls check what can be checked without GL and
// queue the rest to the bridge's GL thread; rows read back come in through ApplyScanoutRows.
public sealed partial class DisplayConsole
{
    private GlBridge? _gl;
    private GlHead? _glHead;
    private long _glSerial;

    /// <summary>
    /// The bridge's GL context that reads this head's GL scanouts. Set it before the first
    /// <see cref="ScanoutDmaBuf"/> or <see cref="ScanoutTexture"/>; one bridge serves any number of consoles.
    /// </summary>
    public GlBridge? Gl
    {
        get => _gl;
        set
        {
            if (ReferenceEquals(value, _gl))
            {
                return;
            }

            EndGlScanout();
            _gl = value;
            _glHead = value is null ? null : new GlHead(this, value.Options.RingDepth);
        }
    }

    /// <summary>
    /// Raised on the bridge's thread when a GL scanout fails after the call that started it
    /// returned (the driver refused the buffer, the context was lost). The head keeps its last
    /// good frame; the next scanout starts afresh. Keep handlers short.
    /// </summary>
    public event EventHandler<GlScanoutFailedEventArgs>? ScanoutFailed;

    /// <summary>Counts scanout changes; GL work queued under an older value is dropped.</summary>
    internal long GlSerial => Interlocked.Read(ref _glSerial);

    /// <summary>
    /// Shows a dma-buf from now on (QEMU's <c>dpy_gl_scanout_dmabuf</c>). The file descriptors are
    /// duplicated before this returns, so the caller may close its own. The import itself happens
    /// on the bridge's thread, and the whole scanout is read once it succeeded; a failure there is
    /// logged and raised as <see cref="ScanoutFailed"/>, and the head keeps its last frame.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="Gl"/> bridge is set.</exception>
    /// <exception cref="GlException">The bridge cannot import dma-bufs, or the driver lists the format or modifier as unsupported.</exception>
    /// <exception cref="ArgumentException">Planes, sizes or a file descriptor are not valid.</exception>
    public void ScanoutDmaBuf(DmaBufScanout scanout)
    {
        ArgumentNullException.ThrowIfNull(scanout);
        (GlBridge gl, GlHead head) = RequireGl();
        if (scanout.Planes is null || scanout.Planes.Count is < 1 or > 4)
        {
            throw new ArgumentException($"A dma-buf has 1 to 4 planes; got {scanout.Planes?.Count ?? 0}.", nameof(scanout));
        }

        CheckView(scanout.BackingWidth, scanout.BackingHeight, scanout.X, scanout.Y, scanout.Width, scanout.Height);
        if (!gl.CanImportDmaBuf)
        {
            throw new GlException($"The EGL display ({gl.DeviceName}, {gl.Renderer}) cannot import dma-bufs: it has no EGL_EXT_image_dma_buf_import.");
        }

        if (scanout.Modifier is not null && !gl.CanImportModifiers)
        {
            throw new GlException($"The EGL display ({gl.DeviceName}) cannot import dma-bufs with a modifier: it has no EGL_EXT_image_dma_buf_import_modifiers.");
        }

        IReadOnlyDictionary<uint, ulong[]> formats = gl.DmaBufFormats;
        if (formats.Count > 0)
        {
            if (!formats.TryGetValue(scanout.Fourcc, out ulong[]? modifiers))
            {
                throw new GlException($"The driver ({gl.Renderer}) does not import dma-bufs of format {GlBridge.FourccName(scanout.Fourcc)}.");
            }

            if (scanout.Modifier is ulong modifier && modifiers.Length > 0 && Array.IndexOf(modifiers, modifier) < 0)
            {
                throw new GlException($"The driver ({gl.Renderer}) does not import format {GlBridge.FourccName(scanout.Fourcc)} with modifier 0x{modifier:x16}.");
            }
        }

        int[] fds = new int[scanout.Planes.Count];
        for (int i = 0; i < fds.Length; i++)
        {
            DmaBufPlane plane = scanout.Planes[i];
            if (plane.Offset < 0 || plane.Stride <= 0)
            {
                CloseAll(fds, i);
                throw new ArgumentException($"Plane {i}: offset {plane.Offset} and stride {plane.Stride} must be at least 0 and 1.", nameof(scanout));
            }

            fds[i] = Libc.Duplicate(plane.Fd, out int errno);
            if (fds[i] < 0)
            {
                CloseAll(fds, i);
                throw new ArgumentException($"Plane {i}: {plane.Fd} is not an open file descriptor (errno {errno}).", nameof(scanout));
            }
        }

        LeaveGuestSurface();
        long serial = Interlocked.Increment(ref _glSerial);
        try
        {
            gl.Post(new GlCommand.ScanoutDmaBuf(head, serial, scanout, fds));
        }
        catch
        {
            CloseAll(fds, fds.Length);
            throw;
        }
    }

    /// <summary>
    /// Shows a texture of the emulator's context, shared as an EGLImage (QEMU's
    /// <c>dpy_gl_scanout_texture</c>); see <see cref="TextureScanout"/> for who owns the image.
    /// The whole scanout is read once the bridge has bound the image.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="Gl"/> bridge is set.</exception>
    public void ScanoutTexture(TextureScanout scanout)
    {
        ArgumentNullException.ThrowIfNull(scanout);
        (GlBridge gl, GlHead head) = RequireGl();
        if (scanout.EglImage == 0)
        {
            throw new ArgumentException("The EGLImage is EGL_NO_IMAGE.", nameof(scanout));
        }

        CheckView(scanout.BackingWidth, scanout.BackingHeight, scanout.X, scanout.Y, scanout.Width, scanout.Height);
        LeaveGuestSurface();
        long serial = Interlocked.Increment(ref _glSerial);
        gl.Post(new GlCommand.ScanoutTexture(head, serial, scanout));
    }

    /// <summary>
    /// The GL scanout changed inside the rectangle (head coordinates, top-left based; QEMU's
    /// <c>dpy_gl_update</c>). Only queues the rectangle. The producer's rendering must be
    /// submitted first (glFlush); <paramref name="eglSync"/> may carry an EGL fence
    /// (<c>eglCreateSyncKHR(EGL_SYNC_FENCE_KHR)</c>, then glFlush) that the bridge's GPU commands
    /// wait for; the bridge destroys it.
    /// </summary>
    public void GlUpdate(int x, int y, int width, int height, nint eglSync = 0) => GlUpdate(new PixelRect(x, y, width, height), eglSync);

    /// <inheritdoc cref="GlUpdate(int, int, int, int, nint)"/>
    public void GlUpdate(PixelRect rect, nint eglSync = 0)
    {
        (GlBridge gl, GlHead head) = RequireGl();
        gl.Post(new GlCommand.Update(head, Interlocked.Read(ref _glSerial), rect, eglSync));
    }

    /// <summary>
    /// Stops showing the GL scanout (QEMU's scanout disable / dma-buf release): the bridge lets go
    /// of the buffer or image, and the head keeps showing the last frame read.
    /// </summary>
    public void ReleaseScanout() => EndGlScanout();

    /// <summary>
    /// Benchmark hook: shows a texture that <paramref name="createTexture"/> makes in the bridge's
    /// own context on its GL thread, so readback is measured without sharing between contexts.
    /// </summary>
    internal void ScanoutOwnTexture(Func<Silk.NET.OpenGL.GL, uint> createTexture, int width, int height, bool y0Top)
    {
        (GlBridge gl, GlHead head) = RequireGl();
        CheckView(width, height, 0, 0, width, height);
        LeaveGuestSurface();
        long serial = Interlocked.Increment(ref _glSerial);
        gl.Post(new GlCommand.ScanoutOwnTexture(head, serial, createTexture, width, height, y0Top));
    }

    /// <summary>Benchmark hook: queues GL work for the bridge's GL thread (in order with the other calls); does not wait.</summary>
    internal void InvokeOnGlThread(Action<Silk.NET.OpenGL.GL> action)
    {
        (GlBridge gl, GlHead head) = RequireGl();
        gl.Post(new GlCommand.Invoke(head, GlSerial, action));
    }

    /// <summary>Test hook: the bridge acts as if its context were lost.</summary>
    internal void SimulateGlContextLoss()
    {
        (GlBridge gl, GlHead head) = RequireGl();
        gl.Post(new GlCommand.LoseContext(head, GlSerial));
    }

    internal void RaiseScanoutFailed(GlException error) => ScanoutFailed?.Invoke(this, new GlScanoutFailedEventArgs(error));

    /// <summary>
    /// Takes read-back rows of a GL scanout: <paramref name="rect"/> (head coordinates) of a head
    /// <paramref name="width"/> × <paramref name="height"/>, rows <paramref name="stride"/> bytes apart
    /// in <paramref name="format"/>, the first row the rectangle's bottom one when
    /// <paramref name="bottomUp"/>. They go through the same compare-and-copy into tiles as guest
    /// memory. Rows of a scanout that was replaced since (<paramref name="serial"/>) are dropped.
    /// The head takes the scanout's size first if it differs. Returns whether anything changed.
    /// </summary>
    internal unsafe bool ApplyScanoutRows(long serial, int width, int height, PixelRect rect, ReadOnlySpan<byte> rows, int stride, DrmFourcc format, bool bottomUp)
    {
        if (_disposed || !new PixelRect(0, 0, width, height).Contains(rect))
        {
            return false;
        }

        int rowBytes = rect.Width * GuestSurface.BytesPerPixel(format);
        if (rows.Length < (long)stride * (rect.Height - 1) + rowBytes)
        {
            throw new ArgumentException($"{rows.Length} bytes do not hold {rect} at stride {stride}.", nameof(rows));
        }

        bool resized = false;
        bool any = false;
        lock (_refreshLock)
        {
            if (serial != GlSerial || _surface is not null)
            {
                return false;
            }

            _shadowLock.EnterWriteLock();
            try
            {
                if (width != _width || height != _height)
                {
                    long next = _tiles.Generation;
                    _shadow = new uint[width * height];
                    _tiles = new TileGrid(width, height, _options.TileSize);
                    Volatile.Write(ref _width, width);
                    Volatile.Write(ref _height, height);
                    _copies.Clear();
                    _tiles.SetGenerationFloor(next);
                    _surfaceSerial++;
                    resized = true;
                }

                if (_changedScratch.Length < _tiles.TileCount)
                {
                    _changedScratch = new bool[_tiles.TileCount];
                }

                if (_rowScratch.Length < _width)
                {
                    _rowScratch = new uint[_width];
                }

                Span<bool> changed = _changedScratch.AsSpan(0, _tiles.TileCount);
                changed.Clear();
                if (UsesBands(rect, ParallelRowsMinPixels))
                {
                    fixed (byte* p = rows)
                    {
                        nint first = (nint)p;
                        any = CompareRowsInBands(rect, (y, row, flags) =>
                        {
                            int i = y - rect.Y;
                            int source = bottomUp ? rect.Height - 1 - i : i;
                            PixelRowConverter.ToCanonical(new ReadOnlySpan<byte>((byte*)first + (long)source * stride, rowBytes), format, row);
                            return CompareAndCopyRowUnsynchronized(row, rect.X, y, flags);
                        });
                    }
                }
                else
                {
                    Span<uint> row = _rowScratch.AsSpan(0, rect.Width);
                    for (int i = 0; i < rect.Height; i++)
                    {
                        int source = bottomUp ? rect.Height - 1 - i : i;
                        PixelRowConverter.ToCanonical(rows.Slice(source * stride, rowBytes), format, row);
                        any |= CompareAndCopyRowUnsynchronized(row, rect.X, rect.Y + i, changed);
                    }
                }

                if (resized)
                {
                    _tiles.Stamp(new PixelRect(0, 0, _width, _height), _tiles.NextGeneration());
                }
                else if (any)
                {
                    StampChangedUnsynchronized(changed);
                }
            }
            finally
            {
                _shadowLock.ExitWriteLock();
            }
        }

        if (resized)
        {
            SurfaceChanged?.Invoke(this, EventArgs.Empty);
        }

        if (resized || any)
        {
            RaiseUpdated();
        }

        return resized || any;
    }

    private (GlBridge Gl, GlHead Head) RequireGl()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        GlBridge? gl = _gl;
        GlHead? head = _glHead;
        if (gl is null || head is null)
        {
            throw new InvalidOperationException("GL scanouts need a GlBridge: set DisplayConsole.Gl first.");
        }

        return (gl, head);
    }

    private static void CheckView(int backingWidth, int backingHeight, int x, int y, int width, int height)
    {
        if (backingWidth is < 1 or > GuestSurface.MaxDimension || backingHeight is < 1 or > GuestSurface.MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(backingWidth), $"A scanout's backing must be 1..{GuestSurface.MaxDimension} pixels on each side; got {backingWidth}x{backingHeight}.");
        }

        int w = width == 0 ? backingWidth - x : width;
        int h = height == 0 ? backingHeight - y : height;
        if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > backingWidth || y + h > backingHeight)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"The shown part {w}x{h}+{x}+{y} does not lie inside the {backingWidth}x{backingHeight} backing.");
        }
    }

    private static void CloseAll(int[] fds, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Libc.Close(fds[i]);
        }
    }

    /// <summary>From guest memory to GL: the guest surface is no longer read (waits for a refresh in progress, never for the GPU).</summary>
    private void LeaveGuestSurface()
    {
        if (_surface is null)
        {
            return;
        }

        lock (_refreshLock)
        {
            lock (_pendingLock)
            {
                _pending.Clear();
            }

            _surface = null;
        }
    }

    /// <summary>Ends the GL scanout, if any: queued and in-flight work for it is dropped and the bridge lets go of it.</summary>
    private void EndGlScanout()
    {
        GlBridge? gl = _gl;
        GlHead? head = _glHead;
        if (gl is null || head is null)
        {
            return;
        }

        long serial = Interlocked.Increment(ref _glSerial);
        try
        {
            gl.Post(new GlCommand.Release(head, serial));
        }
        catch (ObjectDisposedException)
        {
            // The bridge is gone, and with it everything it held for this head.
        }
    }
}
