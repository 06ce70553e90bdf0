using System.Collections.Concurrent;
using ConsoleBridge;
using ConsoleBridge.Gl;
using Silk.NET.OpenGL;

namespace GlScanout;

/// <summary>
/// The emulator's side: its own GL context on the bridge's EGL display and thread, rendering into
/// a texture that it hands to a console as a dma-buf (exported with EGL_MESA_image_dma_buf_export)
/// or as a shared EGLImage.
/// </summary>
internal sealed unsafe class SceneProducer : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;
    private readonly GlBridge _bridge;
    private EglContext? _context;
    private uint _texture;
    private uint _framebuffer;
    private nint _image;
    private int[] _fds = [];

    public SceneProducer(GlBridge bridge, int width, int height)
    {
        _bridge = bridge;
        Width = width;
        Height = height;
        _thread = new Thread(Run) { IsBackground = true, Name = "scene" };
        _thread.Start();
        Invoke(() =>
        {
            _context = EglContext.Create(bridge.Display);
            GL gl = _context.Gl;
            _texture = gl.GenTexture();
            gl.BindTexture(TextureTarget.Texture2D, _texture);
            gl.TexStorage2D(TextureTarget.Texture2D, 1, SizedInternalFormat.Rgba8, (uint)width, (uint)height);
            gl.BindTexture(TextureTarget.Texture2D, 0);
            _framebuffer = gl.GenFramebuffer();
            gl.BindFramebuffer(FramebufferTarget.Framebuffer, _framebuffer);
            gl.FramebufferTexture2D(FramebufferTarget.Framebuffer, FramebufferAttachment.ColorAttachment0, TextureTarget.Texture2D, _texture, 0);
            gl.Viewport(0, 0, (uint)width, (uint)height);
            int* attributes = stackalloc int[] { Egl.ImagePreservedKhr, 1, Egl.None };
            _image = EglExtensions.Instance.CreateImage(bridge.EglDisplay, _context.Handle, Egl.GlTexture2DKhr, (nint)_texture, attributes);
            if (_image == 0)
            {
                throw Egl.Failure("eglCreateImageKHR(EGL_GL_TEXTURE_2D_KHR)");
            }
        });
    }

    public int Width { get; }

    /// <summary>When set, <see cref="Fence"/> waits for the rendering with glFinish and hands over no fence.</summary>
    public static bool FinishInsteadOfFence { get; set; }

    public int Height { get; }

    /// <summary>"dma-buf" or "EGLImage": how the last <see cref="Publish"/> shared the texture.</summary>
    public string Sharing { get; private set; } = "";

    /// <summary>
    /// Publishes the texture on <paramref name="console"/>: as a dma-buf when the display exports
    /// and imports them (unless <paramref name="forceTexture"/>), else as the EGLImage.
    /// </summary>
    public void Publish(DisplayConsole console, bool forceTexture = false)
    {
        string? refused = null;
        if (!forceTexture && _bridge.CanExportDmaBuf && _bridge.CanImportDmaBuf)
        {
            try
            {
                DmaBufScanout scanout = Invoke(ExportDmaBuf);
                console.ScanoutDmaBuf(scanout);
                Sharing = $"dma-buf ({scanout.Planes.Count} plane(s), fourcc {GlBridge.FourccName(scanout.Fourcc)}, modifier 0x{scanout.Modifier:x16}, stride {scanout.Planes[0].Stride})";
                return;
            }
            catch (GlException ex)
            {
                refused = ex.Message;
            }
        }

        console.ScanoutTexture(new TextureScanout { EglImage = _image, BackingWidth = Width, BackingHeight = Height, Y0Top = false });
        Sharing = refused is null ? "EGLImage of the texture" : $"EGLImage of the texture (dma-buf export refused: {refused})";
    }

    /// <summary>Whether the last <see cref="Publish"/> went through a dma-buf.</summary>
    public bool IsDmaBuf => Sharing.StartsWith("dma-buf", StringComparison.Ordinal);

    private DmaBufScanout ExportDmaBuf()
    {
        EglExtensions ext = EglExtensions.Instance;
        int fourcc, planes;
        ulong* modifiers = stackalloc ulong[4];
        if (ext.ExportDmaBufImageQuery(_bridge.EglDisplay, _image, &fourcc, &planes, modifiers) == 0)
        {
            throw Egl.Failure("eglExportDMABUFImageQueryMESA");
        }

        int* fds = stackalloc int[4];
        int* strides = stackalloc int[4];
        int* offsets = stackalloc int[4];
        if (ext.ExportDmaBufImage(_bridge.EglDisplay, _image, fds, strides, offsets) == 0)
        {
            throw Egl.Failure("eglExportDMABUFImageMESA");
        }

        foreach (int fd in _fds)
        {
            CloseFd(fd);
        }

        _fds = new int[planes];
        var list = new DmaBufPlane[planes];
        for (int i = 0; i < planes; i++)
        {
            _fds[i] = fds[i];
            list[i] = new DmaBufPlane(fds[i], offsets[i], strides[i]);
        }

        // The texture is rendered the GL way, so its first row in memory is the picture's bottom.
        return new DmaBufScanout
        {
            Planes = list,
            Fourcc = (uint)fourcc,
            Modifier = modifiers[0],
            BackingWidth = Width,
            BackingHeight = Height,
            Y0Top = false,
        };
    }

    /// <summary>Frame <paramref name="frame"/> of the animation: a background, moving bars and boxes, and a frame stamp.</summary>
    public void Render(long frame) => Invoke(() =>
    {
        GL gl = _context!.Gl;
        gl.BindFramebuffer(FramebufferTarget.Framebuffer, _framebuffer);
        float t = frame / 60f;
        Clear(gl, 0, 0, Width, Height, 0x102030);
        for (int i = 0; i < 6; i++)
        {
            int barHeight = Height / 14;
            int y = (int)((Math.Sin(t * (0.7 + i * 0.13) + i) * 0.5 + 0.5) * (Height - barHeight));
            Clear(gl, 0, y, Width, barHeight, (uint)(0x204060 + i * 0x1F0B05));
        }

        int box = Math.Max(8, Math.Min(Width, Height) / 6);
        for (int i = 0; i < 4; i++)
        {
            int x = (int)((Math.Cos(t * (1.1 + i * 0.3)) * 0.5 + 0.5) * (Width - box));
            int y = (int)((Math.Sin(t * (0.9 + i * 0.25) + i) * 0.5 + 0.5) * (Height - box));
            Clear(gl, x, y, box, box, (uint)(0xE04020 ^ (i * 0x30A050)));
        }

        Stamp(gl, frame);
    });

    /// <summary>Fills the whole frame with one colour and stamps the frame number (for the benchmark).</summary>
    public void RenderSolid(long frame, uint rgb) => Invoke(() =>
    {
        GL gl = _context!.Gl;
        gl.BindFramebuffer(FramebufferTarget.Framebuffer, _framebuffer);
        Clear(gl, 0, 0, Width, Height, rgb);
        Stamp(gl, frame);
    });

    /// <summary>Writes a picture (0x00RRGGBB, top row first) into the texture, bottom row first as GL renders.</summary>
    public void Upload(uint[] picture) => Invoke(() =>
    {
        GL gl = _context!.Gl;
        uint[] texels = new uint[Width * Height];
        for (int y = 0; y < Height; y++)
        {
            picture.AsSpan(y * Width, Width).CopyTo(texels.AsSpan((Height - 1 - y) * Width, Width));
        }

        gl.BindTexture(TextureTarget.Texture2D, _texture);
        gl.PixelStore(PixelStoreParameter.UnpackAlignment, 4);
        fixed (uint* p = texels)
        {
            gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)Width, (uint)Height, PixelFormat.Bgra, PixelType.UnsignedByte, p);
        }

        gl.BindTexture(TextureTarget.Texture2D, 0);
    });

    /// <summary>Renders a solid rectangle (picture coordinates, top-left based).</summary>
    public void Fill(int x, int y, int width, int height, uint rgb) => Invoke(() =>
    {
        GL gl = _context!.Gl;
        gl.BindFramebuffer(FramebufferTarget.Framebuffer, _framebuffer);
        Clear(gl, x, y, width, height, rgb);
    });

    /// <summary>An EGL fence behind everything rendered so far, flushed; hand it to GlUpdate.</summary>
    public nint Fence() => Invoke(() =>
    {
        if (FinishInsteadOfFence)
        {
            _context!.Gl.Finish();
            return 0;
        }

        nint sync = EglExtensions.Instance.CreateSync(_bridge.EglDisplay, Egl.SyncFenceKhr, null);
        _context!.Gl.Flush();
        return sync;
    });

    /// <summary>The frame number a stamp encodes (see <see cref="Stamp"/>).</summary>
    public static long FrameOf(uint pixel) => pixel & 0xFFFFFF;

    public void Invoke(Action action) => Invoke(() =>
    {
        action();
        return 0;
    });

    public T Invoke<T>(Func<T> function)
    {
        T result = default!;
        Exception? failure = null;
        using var done = new ManualResetEventSlim();
        _work.Add(() =>
        {
            try
            {
                result = function();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        if (failure is not null)
        {
            throw failure;
        }

        return result;
    }

    public void Dispose()
    {
        Invoke(() =>
        {
            foreach (int fd in _fds)
            {
                CloseFd(fd);
            }

            EglExtensions.Instance.DestroyImage(_bridge.EglDisplay, _image);
            _context?.Dispose();
        });
        _work.CompleteAdding();
        _thread.Join();
    }

    /// <summary>Top-left 8x8 pixels carry the frame number as 0x00RRGGBB.</summary>
    private void Stamp(GL gl, long frame) => Clear(gl, 0, 0, 8, 8, (uint)(frame & 0xFFFFFF));

    private void Clear(GL gl, int x, int y, int width, int height, uint rgb)
    {
        gl.Enable(EnableCap.ScissorTest);
        gl.Scissor(x, Height - (y + height), (uint)width, (uint)height);
        gl.ClearColor(((rgb >> 16) & 0xFF) / 255f, ((rgb >> 8) & 0xFF) / 255f, (rgb & 0xFF) / 255f, 1f);
        gl.Clear(ClearBufferMask.ColorBufferBit);
        gl.Disable(EnableCap.ScissorTest);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close")]
    private static extern int CloseFd(int fd);

    private void Run()
    {
        foreach (Action action in _work.GetConsumingEnumerable())
        {
            action();
        }
    }
}
