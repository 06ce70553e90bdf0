namespace ConsoleBridge.Gl;

/// <summary>Work the emulator's threads hand to the bridge's GL thread.</summary>
internal abstract record GlCommand(GlHead Head, long Serial)
{
    /// <summary>Show a dma-buf; the file descriptors are the console's duplicates, closed by the GL thread.</summary>
    public sealed record ScanoutDmaBuf(GlHead Head, long Serial, DmaBufScanout Scanout, int[] Fds) : GlCommand(Head, Serial);

    public sealed record ScanoutTexture(GlHead Head, long Serial, TextureScanout Scanout) : GlCommand(Head, Serial);

    /// <summary>A rectangle (head coordinates) changed; <paramref name="Sync"/> is an EGL fence to wait for on the GPU, or 0.</summary>
    public sealed record Update(GlHead Head, long Serial, PixelRect Rect, nint Sync) : GlCommand(Head, Serial);

    public sealed record Release(GlHead Head, long Serial) : GlCommand(Head, Serial);

    /// <summary>Benchmark hook: show a texture the bridge's own context creates (no sharing); the bridge deletes it at teardown.</summary>
    public sealed record ScanoutOwnTexture(GlHead Head, long Serial, Func<Silk.NET.OpenGL.GL, uint> CreateTexture, int Width, int Height, bool Y0Top) : GlCommand(Head, Serial);

    /// <summary>Benchmark hook: run GL work (rendering into an own texture) on the GL thread, in queue order.</summary>
    public sealed record Invoke(GlHead Head, long Serial, Action<Silk.NET.OpenGL.GL> Action) : GlCommand(Head, Serial);

    /// <summary>Test hook: behave as if the driver reported a lost context.</summary>
    public sealed record LoseContext(GlHead Head, long Serial) : GlCommand(Head, Serial);
}
