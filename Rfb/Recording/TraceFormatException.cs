namespace Rfb.Recording;

/// <summary>A recorded trace is malformed or uses something this library does not replay.</summary>
public sealed class TraceFormatException : Exception
{
    public TraceFormatException(TraceFormatError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>What was wrong.</summary>
    public TraceFormatError Error { get; }
}
