namespace Rfb.Recording;

/// <summary>One recorded FramebufferUpdate: its operations in wire order.</summary>
public sealed class TraceUpdate : TraceEvent
{
    public TraceUpdate(uint timestampMs, IReadOnlyList<TraceOperation> operations)
        : base(timestampMs)
    {
        ArgumentNullException.ThrowIfNull(operations);
        Operations = operations;
    }

    /// <summary>
    /// The rectangles of the update, to be applied in this order. Raw pixels are owned by the
    /// update (they do not alias the decoder's buffers), so an update may be kept.
    /// </summary>
    public IReadOnlyList<TraceOperation> Operations { get; }

    public override string ToString() => $"Update of {Operations.Count} operations @{TimestampMs} ms";
}
