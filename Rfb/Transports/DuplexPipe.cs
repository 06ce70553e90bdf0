using System.IO.Pipelines;

namespace Rfb.Transports;

/// <summary>A transport's two directions as a session reads and writes them.</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
