namespace ConsoleBridge.Gl;

/// <summary>A GL scanout failed on the bridge's thread; the head keeps its last good frame.</summary>
public sealed class GlScanoutFailedEventArgs : EventArgs
{
    public GlScanoutFailedEventArgs(GlException error)
    {
        Error = error;
    }

    /// <summary>What failed and why.</summary>
    public GlException Error { get; }
}
