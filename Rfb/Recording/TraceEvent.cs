namespace Rfb.Recording;

/// <summary>Something a <see cref="RecordedSessionDecoder"/> found in a recorded session.</summary>
public abstract class TraceEvent
{
    private protected TraceEvent(uint timestampMs)
    {
        TimestampMs = timestampMs;
    }

    /// <summary>The timestamp of the FBS block in which the message ended (milliseconds since the recording began).</summary>
    public uint TimestampMs { get; }
}
