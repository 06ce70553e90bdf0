namespace ConsoleBridge.Gl;

/// <summary>How the bridge moves GL scanouts into the shadow.</summary>
public enum GlReadbackMode
{
    /// <summary>
    /// Damaged rectangles go into a ring of pixel-pack buffers with a fence each; the CPU takes a
    /// buffer once its fence has signalled, so neither side waits for the other. The default.
    /// </summary>
    PboRing,

    /// <summary>
    /// The whole scanout is read with a blocking <c>glReadPixels</c> into memory at every update,
    /// as QEMU's egl-headless display does. For comparison and measurement only.
    /// </summary>
    Synchronous,
}
