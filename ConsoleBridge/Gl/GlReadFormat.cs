namespace ConsoleBridge.Gl;

/// <summary>The client-memory layout (format and type) <c>glReadPixels</c> is asked for.</summary>
public enum GlReadFormat
{
    /// <summary><c>GL_BGRA</c>, <c>GL_UNSIGNED_BYTE</c>: the canonical XRGB8888 layout, so rows only lose their alpha on the way in. The default.</summary>
    Bgra,

    /// <summary><c>GL_RGBA</c>, <c>GL_UNSIGNED_BYTE</c>: red and blue are swapped on the CPU (for drivers whose BGRA readback is slow).</summary>
    Rgba,

    /// <summary>
    /// <c>GL_BGRA</c>, <c>GL_UNSIGNED_INT_8_8_8_8_REV</c>: the same bytes as <see cref="Bgra"/> on a
    /// little-endian machine, under the packed type some drivers name as their fast readback pair.
    /// </summary>
    BgraInt8888Rev,
}
