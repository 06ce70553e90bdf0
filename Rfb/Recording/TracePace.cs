namespace Rfb.Recording;

/// <summary>How fast a <see cref="TracePlayer"/> replays a trace.</summary>
public enum TracePace
{
    /// <summary>
    /// As recorded: the first update is shown at once and each later one when as much time has
    /// passed since then as its timestamp is after the first update's.
    /// </summary>
    Recorded,

    /// <summary>As fast as possible, without waiting.</summary>
    Max,
}
