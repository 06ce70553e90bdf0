namespace TraceBench;

/// <summary>The figures of one trace on one server (the JSON object's keys are the issue's).</summary>
internal sealed record BenchResult
{
    public required string Trace { get; init; }

    public required string Server { get; init; }

    public long Updates { get; init; }

    public double MpxDamaged { get; init; }

    public double MpxSent { get; init; }

    public long Bytes { get; init; }

    /// <summary>What the same rectangles take as Raw (shown as a ratio; not in the JSON).</summary>
    public long RawBytes { get; init; }

    public double CpuMsPerUpdate { get; init; }

    public double MpxPerS { get; init; }

    public double LatencyP50Ms { get; init; }

    public double LatencyP99Ms { get; init; }

    public double PeakMemoryMb { get; init; }

    /// <summary>"match", "N pixels differ", or why it was not checked (not in the JSON).</summary>
    public string FinalFrame { get; init; } = "";

    /// <summary>Whether the client's final framebuffer equals the trace's final frame.</summary>
    public bool FinalFrameMatches { get; init; }

    /// <summary>PSNR of the client's final framebuffer against the trace's, in dB: infinite when equal, NaN when not compared.</summary>
    public double FinalFramePsnrDb { get; init; } = double.NaN;

    /// <summary>Clients connected to the server during the replay (<c>--clients</c>; peers always 1).</summary>
    public int Clients { get; init; } = 1;

    /// <summary>
    /// This server's resident size per connected client in MiB (with every client connected less
    /// with none, divided by the clients); NaN for the peers.
    /// </summary>
    public double MemoryPerClientMb { get; init; } = double.NaN;

    /// <summary>The managed heap retained per connected client in MiB, measured the same way; NaN for the peers.</summary>
    public double ManagedMemoryPerClientMb { get; init; } = double.NaN;

    /// <summary>The native memory of one client's zlib streams in MiB (bare streams measured apart); NaN for the peers.</summary>
    public double ZlibMemoryPerClientMb { get; init; } = double.NaN;

    public double RatioToRaw => RawBytes == 0 ? 0 : (double)Bytes / RawBytes;
}
