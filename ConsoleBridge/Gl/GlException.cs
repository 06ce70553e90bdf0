namespace ConsoleBridge.Gl;

/// <summary>
/// A GL scanout could not be set up or read: EGL is missing, an extension is missing, a dma-buf
/// was refused, or the context was lost. The message says which and why.
/// </summary>
public sealed class GlException : Exception
{
    public GlException(string message)
        : base(message)
    {
    }

    public GlException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The EGL error code behind the failure (for example 0x3003 EGL_BAD_ALLOC), or 0.</summary>
    public int EglError { get; init; }
}
