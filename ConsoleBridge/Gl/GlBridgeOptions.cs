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

    /// <summary>
    /// Staged readback: <c>glReadPixels</c> goes into a buffer in GPU memory, and
    /// <c>glCopyBufferSubData</c> then moves the rows into the host-visible buffer the CPU reads, so
    /// the transfer over the bus is a buffer copy (on a discrete GPU, its copy engine) rather than
    /// the readback's own writes. Costs one GPU-memory buffer per ring slot. Default false.
    /// </summary>
    public bool StagedReadback { get; set; }

    /// <summary>
    /// Each damaged rectangle is read in this many horizontal strips (1 to 16), each its own
    /// <c>glReadPixels</c> (and, when staged, its own copy), so the transfer of one strip can overlap
    /// the readback of the next. Default 1.
    /// </summary>
    public int ReadStrips { get; set; } = 1;

    /// <summary>
    /// Damage detection on the GPU (compute shaders where the context has GL 4.3, else fragment
    /// shaders, which need GL 3.3; ignored with a warning below that). The bridge keeps the previous frame in a texture, a
    /// shader compares each update's rectangle with it per 64×64 tile and writes one flag
    /// per tile, and only the changed tiles are read back (merged into rectangles). Helps when the
    /// producer reports more damage than it changes (a whole frame per update, as virgl heads
    /// often do); costs one frame-sized texture per head and one round trip of the flags per update.
    /// Default false.
    /// </summary>
    public bool GpuDamageDetection { get; set; }

    /// <summary>
    /// For tests: GPU damage detection through fragment shaders (the fallback for contexts without
    /// compute shaders) even where compute shaders exist.
    /// </summary>
    internal bool FragmentDamageDetection { get; set; }

    /// <summary>
    /// For benchmarks: whether persistent buffers are allocated with <c>GL_CLIENT_STORAGE_BIT</c>
    /// (the default, true), a hint to keep the storage in host memory.
    /// </summary>
    internal bool ClientStorageHint { get; set; } = true;

    /// <summary>For benchmarks: time each readback on the GPU with a <c>GL_TIME_ELAPSED</c> query.</summary>
    internal bool MeasureGpuTime { get; set; }
}
