namespace ConsoleBridge.Gl;

/// <summary>The client-memory layout <c>glReadPixels</c> is asked for.</summary>
public enum GlReadFormat
{
    /// <summary><c>GL_BGRA</c>: the canonical XRGB8888 layout, so rows only lose their alpha on the way in. The default.</summary>
    Bgra,

    /// <summary><c>GL_RGBA</c>: red and blue are swapped on the CPU (for drivers whose BGRA readback is slow).</summary>
    Rgba,
}
