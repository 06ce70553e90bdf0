namespace Rfb.Tests.NoVnc;

/// <summary>
/// noVNC could not decode the bytes it was given: one of its decoders threw, it met an encoding it does not
/// know, the bytes ended in the middle of a message, or a JPEG/PNG picture inside a rectangle was not a valid
/// image. The message is the harness's own explanation (which update, which rectangle, what noVNC said).
/// </summary>
internal sealed class NoVncDecodeException : Exception
{
    public NoVncDecodeException(string message, int exitCode, string harnessOutput)
        : base(message)
    {
        ExitCode = exitCode;
        HarnessOutput = harnessOutput;
    }

    /// <summary>The harness's exit status (1 for a decoding failure).</summary>
    public int ExitCode { get; }

    /// <summary>Everything the harness wrote on its standard error.</summary>
    public string HarnessOutput { get; }
}
