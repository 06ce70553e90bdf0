using Silk.NET.OpenGL;

namespace ConsoleBridge.Gl;

/// <summary>
/// A desktop GL core-profile context without surfaces (EGL_KHR_surfaceless_context), with its
/// Silk.NET GL bindings. GL core rather than GLES: BGRA readback (the canonical layout) and
/// buffer storage are core there (4.4), and Silk.NET.OpenGL binds it. Version 4.5 is asked for
/// first, then 4.3 and 3.3 (without persistently mapped buffers).
/// </summary>
internal sealed unsafe class EglContext : IDisposable
{
    private static readonly (int Major, int Minor)[] s_versions = [(4, 6), (4, 5), (4, 3), (3, 3)];

    private EglContext(EglDisplay display, nint handle, GL gl, int version)
    {
        Display = display;
        Handle = handle;
        Gl = gl;
        Version = version;
    }

    public EglDisplay Display { get; }

    public nint Handle { get; }

    public GL Gl { get; }

    /// <summary>The GL version, major × 10 + minor.</summary>
    public int Version { get; }

    public string Renderer => Gl.GetStringS(StringName.Renderer) ?? "";

    /// <summary>Creates a context and makes it current on the calling thread.</summary>
    public static EglContext Create(EglDisplay display)
    {
        if (!display.Has("EGL_KHR_surfaceless_context"))
        {
            throw new GlException($"The EGL display ({display.DeviceName}) has no EGL_KHR_surfaceless_context.");
        }

        if (Egl.BindApi(Egl.OpenGlApi) == 0)
        {
            throw Egl.Failure("eglBindAPI(EGL_OPENGL_API)");
        }

        nint config = 0;
        if (!display.Has("EGL_KHR_no_config_context") && !display.Has("EGL_MESA_configless_context"))
        {
            int* wanted = stackalloc int[] { Egl.RenderableType, Egl.OpenGlBit, Egl.None };
            int count;
            if (Egl.ChooseConfig(display.Handle, wanted, &config, 1, &count) == 0 || count == 0)
            {
                throw Egl.Failure("eglChooseConfig (OpenGL)");
            }
        }

        nint handle = 0;
        int version = 0;
        int* attributes = stackalloc int[9];
        bool debug = GlDiagnostics.DebugOutput;
        foreach ((int major, int minor) in s_versions)
        {
            attributes[0] = Egl.ContextMajorVersion;
            attributes[1] = major;
            attributes[2] = Egl.ContextMinorVersion;
            attributes[3] = minor;
            attributes[4] = Egl.ContextOpenGlProfileMask;
            attributes[5] = Egl.ContextOpenGlCoreProfileBit;
            attributes[6] = debug ? Egl.ContextOpenGlDebug : Egl.None;
            attributes[7] = 1;
            attributes[8] = Egl.None;
            handle = Egl.CreateContext(display.Handle, config, 0, attributes);
            if (handle != 0)
            {
                version = major * 10 + minor;
                break;
            }
        }

        if (handle == 0)
        {
            throw Egl.Failure("eglCreateContext (OpenGL 3.3 core or later)");
        }

        if (Egl.MakeCurrent(display.Handle, 0, 0, handle) == 0)
        {
            var failure = Egl.Failure("eglMakeCurrent (surfaceless)");
            Egl.DestroyContext(display.Handle, handle);
            throw failure;
        }

        GL gl = GL.GetApi(Egl.GetProcAddress);
        return new EglContext(display, handle, gl, version);
    }

    public bool HasGlExtension(string name)
    {
        int count = Gl.GetInteger(GLEnum.NumExtensions);
        for (uint i = 0; i < count; i++)
        {
            if (Gl.GetStringS(StringName.Extensions, i) == name)
            {
                return true;
            }
        }

        return false;
    }

    public void MakeCurrent()
    {
        if (Egl.MakeCurrent(Display.Handle, 0, 0, Handle) == 0)
        {
            throw Egl.Failure("eglMakeCurrent");
        }
    }

    /// <summary>Releases the context from the calling thread and destroys it.</summary>
    public void Dispose()
    {
        Egl.MakeCurrent(Display.Handle, 0, 0, 0);
        Egl.DestroyContext(Display.Handle, Handle);
        Egl.ReleaseThread();
    }
}
