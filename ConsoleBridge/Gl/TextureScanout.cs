namespace ConsoleBridge.Gl;

/// <summary>
/// A head scanned out of a GL texture of the emulator's context, shared with the bridge as an
/// EGLImage (<c>EGL_KHR_gl_texture_2D_image</c>). The emulator creates the image with
/// <c>eglCreateImageKHR(display, itsContext, EGL_GL_TEXTURE_2D_KHR, texture, ...)</c> on
/// <see cref="GlBridge.EglDisplay"/>, keeps it alive until the console shows something else
/// (another scanout, <see cref="DisplayConsole.ReleaseScanout"/> or a surface switch) and destroys
/// it afterwards; the bridge never destroys it.
/// </summary>
public sealed class TextureScanout
{
    /// <summary>The EGLImage (an <c>EGLImageKHR</c>) made from the texture on the bridge's display.</summary>
    public required nint EglImage { get; init; }

    /// <summary>Width of the whole texture in pixels.</summary>
    public required int BackingWidth { get; init; }

    /// <summary>Height of the whole texture in pixels.</summary>
    public required int BackingHeight { get; init; }

    /// <summary>Left edge of the shown part. Default 0.</summary>
    public int X { get; init; }

    /// <summary>Top edge of the shown part. Default 0.</summary>
    public int Y { get; init; }

    /// <summary>Width of the shown part (the head's width); 0 means the backing width.</summary>
    public int Width { get; init; }

    /// <summary>Height of the shown part (the head's height); 0 means the backing height.</summary>
    public int Height { get; init; }

    /// <summary>
    /// True when texel row 0 is the top of the picture; false (GL's usual convention for rendered
    /// textures, and the default here) when it is the bottom, and the bridge flips the rows.
    /// </summary>
    public bool Y0Top { get; init; }
}
