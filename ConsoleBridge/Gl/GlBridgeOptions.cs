namespace ConsoleBridge.Gl;

/// <summary>Settings of a <see cref="GlBridge"/>.</summary>
public sealed class GlBridgeOptions
{
    /// <summary>
    /// The EGL platform. Default <see cref="EglPlatform.Auto"/>; the environment variable
    /// <c>RFB_EGL_PLATFORM</c> (<c>device</c> or <c>surfaceless</c>) overrides Auto.
    /// </summary>
    public EglPlatform Platform { get; set; } = EglPlatform.Auto;

    /// <summary>Which EGL device the device platform uses (index into eglQueryDevicesEXT's list). Default: the first GPU.</summary>
    public int DeviceIndex { get; set; }

    /// <summary>How many pixel-pack buffers each head cycles through (2 to 16). Default 3.</summary>
    public int RingDepth { get; set; } = 3;

    /// <summary>Ring (default) or synchronous whole-frame readback.</summary>
    public GlReadbackMode ReadbackMode { get; set; } = GlReadbackMode.PboRing;

    /// <summary>The layout glReadPixels is asked for. Default <see cref="GlReadFormat.Bgra"/>.</summary>
    public GlReadFormat ReadFormat { get; set; } = GlReadFormat.Bgra;

    /// <summary>
    /// Whether to map the ring's buffers persistently (GL 4.4 or ARB_buffer_storage) when
    /// available. Default true; false maps each buffer with glMapBufferRange once its fence signalled.
    /// </summary>
    public bool PersistentMapping { get; set; } = true;
}
