namespace TraceBench;

/// <summary>How fast the trace is replayed.</summary>
internal enum Pace
{
    /// <summary>At the recorded timestamps: the latency figures mean what a user would see.</summary>
    Recorded,

    /// <summary>
    /// Lock-step as fast as the pipeline goes: the next update is replayed as soon as the measuring
    /// client has the last byte of the update that carried the previous one.
    /// </summary>
    Max,
}
