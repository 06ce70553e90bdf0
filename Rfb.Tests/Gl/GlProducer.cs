using System.Collections.Concurrent;
using ConsoleBridge.Gl;
using Silk.NET.OpenGL;

namespace Rfb.Tests.Gl;

/// <summary>
/// The emulator's side in GL tests: its own context on the bridge's EGL display, on its own
/// thread, rendering into a texture it shares as an EGLImage.
/// </summary>
internal sealed unsafe class GlProducer : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;
    private EglContext? _context;

    public GlProducer(GlBridge bridge)
    {
        Bridge = bridge;
        _thread = new Thread(Run) { IsBackground = true, Name = "GL producer" };
        _thread.Start();
        Invoke(() => _context = EglContext.Create(bridge.Display));
    }

    public GlBridge Bridge { get; }

    public uint Texture { get; private set; }

    public uint Framebuffer { get; private set; }

    public nint Image { get; private set; }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Creates an RGBA8 texture with a framebuffer around it, and the EGLImage of it.</summary>
    public void CreateTarget(int width, int height, SizedInternalFormat format = SizedInternalFormat.Rgba8) => Invoke(() =>
    {
        GL gl = _context!.Gl;
        Width = width;
        Height = height;
        Texture = gl.GenTexture();
        gl.BindTexture(TextureTarget.Texture2D, Texture);
        gl.TexStorage2D(TextureTarget.Texture2D, 1, format, (uint)width, (uint)height);
        gl.BindTexture(TextureTarget.Texture2D, 0);
        Framebuffer = gl.GenFramebuffer();
        gl.BindFramebuffer(FramebufferTarget.Framebuffer, Framebuffer);
        gl.FramebufferTexture2D(FramebufferTarget.Framebuffer, FramebufferAttachment.ColorAttachment0, TextureTarget.Texture2D, Texture, 0);
        gl.Viewport(0, 0, (uint)width, (uint)height);
        int* attributes = stackalloc int[] { Egl.ImagePreservedKhr, 1, Egl.None };
        Image = EglExtensions.Instance.CreateImage(Bridge.EglDisplay, _context.Handle, Egl.GlTexture2DKhr, (nint)Texture, attributes);
        if (Image == 0)
        {
            throw Egl.Failure("eglCreateImageKHR(EGL_GL_TEXTURE_2D_KHR)");
        }
    });

    /// <summary>
    /// Writes a picture (0x00RRGGBB, top row first) into the texture: texel row 0 gets the top row
    /// when <paramref name="y0Top"/>, the bottom row otherwise. Then glFinish.
    /// </summary>
    public void Upload(uint[] picture, bool y0Top) => Invoke(() =>
    {
        GL gl = _context!.Gl;
        uint[] texels = new uint[Width * Height];
        for (int y = 0; y < Height; y++)
        {
            int row = y0Top ? y : Height - 1 - y;
            for (int x = 0; x < Width; x++)
            {
                texels[row * Width + x] = picture[y * Width + x] | 0xFF000000u;
            }
        }

        gl.BindTexture(TextureTarget.Texture2D, Texture);
        gl.PixelStore(PixelStoreParameter.UnpackAlignment, 4);
        fixed (uint* p = texels)
        {
            gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)Width, (uint)Height, PixelFormat.Bgra, PixelType.UnsignedByte, p);
        }

        gl.BindTexture(TextureTarget.Texture2D, 0);
        gl.Finish();
    });

    /// <summary>Renders a solid rectangle (picture coordinates, top-left based) with a scissored clear; no finish.</summary>
    public void Fill(int x, int y, int width, int height, uint rgb, bool y0Top) => Invoke(() =>
    {
        GL gl = _context!.Gl;
        gl.BindFramebuffer(FramebufferTarget.Framebuffer, Framebuffer);
        gl.Enable(EnableCap.ScissorTest);
        int glY = y0Top ? y : Height - (y + height);
        gl.Scissor(x, glY, (uint)width, (uint)height);
        gl.ClearColor(((rgb >> 16) & 0xFF) / 255f, ((rgb >> 8) & 0xFF) / 255f, (rgb & 0xFF) / 255f, 1f);
        gl.Clear(ClearBufferMask.ColorBufferBit);
        gl.Disable(EnableCap.ScissorTest);
    });

    /// <summary>An EGL fence behind the work so far, flushed, for <c>GlUpdate</c> to hand over.</summary>
    public nint Fence() => Invoke(() =>
    {
        nint sync = EglExtensions.Instance.CreateSync(Bridge.EglDisplay, Egl.SyncFenceKhr, null);
        _context!.Gl.Flush();
        return sync;
    });

    public void DestroyImage(nint image) => Invoke(() => EglExtensions.Instance.DestroyImage(Bridge.EglDisplay, image));

    public void Finish() => Invoke(() => _context!.Gl.Finish());

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
        if (!done.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The GL producer did not answer within 30 s.");
        }

        if (failure is not null)
        {
            throw new InvalidOperationException("GL producer: " + failure.Message, failure);
        }

        return result;
    }

    public void Dispose()
    {
        Invoke(() =>
        {
            if (Image != 0)
            {
                EglExtensions.Instance.DestroyImage(Bridge.EglDisplay, Image);
            }

            _context?.Dispose();
        });
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(10));
    }

    private void Run()
    {
        foreach (Action action in _work.GetConsumingEnumerable())
        {
            action();
        }
    }
}
