using Rfb.Recording;

namespace TraceBench;

/// <summary>
/// A trace decoded into memory before anything is timed, so that zstd and FBS parsing are not
/// measured: the first ServerInit's size and every update with its pixels.
/// </summary>
internal sealed class LoadedTrace
{
    private LoadedTrace(string path, int width, int height, IReadOnlyList<TraceUpdate> updates)
    {
        Path = path;
        Width = width;
        Height = height;
        Updates = updates;
        foreach (TraceUpdate u in updates)
        {
            foreach (TraceOperation op in u.Operations)
            {
                if (op.Kind != TraceOperationKind.DesktopSize)
                {
                    DamagedPixels += (long)op.Width * op.Height;
                }

                if (op.Kind == TraceOperationKind.Raw)
                {
                    PixelBytes += op.Pixels.Length;
                }
            }
        }
    }

    public string Path { get; }

    /// <summary>The file name without <c>.fbs</c>/<c>.fbs.zst</c>: what tables and JSON call the trace.</summary>
    public string Name
    {
        get
        {
            string name = System.IO.Path.GetFileName(Path);
            foreach (string suffix in new[] { ".zst", ".fbs" })
            {
                if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    name = name[..^suffix.Length];
                }
            }

            return name;
        }
    }

    public int Width { get; }

    public int Height { get; }

    public IReadOnlyList<TraceUpdate> Updates { get; }

    /// <summary>Pixels written or copied by all updates (the damage the trace holds).</summary>
    public long DamagedPixels { get; }

    /// <summary>Bytes of Raw pixels held in memory.</summary>
    public long PixelBytes { get; }

    /// <summary>Reads and decodes the whole trace.</summary>
    /// <exception cref="TraceFormatException">The file is not a trace this bench can replay (the message says why).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static LoadedTrace Load(string path)
    {
        using var reader = new FbsReader(path);
        int width = 0, height = 0;
        var updates = new List<TraceUpdate>();
        foreach (TraceEvent e in RecordedSessionDecoder.ReadEvents(reader))
        {
            if (e is TraceServerInit init)
            {
                if (width == 0)
                {
                    width = init.Width;
                    height = init.Height;
                }
            }
            else
            {
                updates.Add((TraceUpdate)e);
            }
        }

        if (width == 0)
        {
            throw new TraceFormatException(TraceFormatError.TruncatedStream, "The trace ends before its ServerInit.");
        }

        if (updates.Count == 0)
        {
            throw new TraceFormatException(TraceFormatError.TruncatedStream, "The trace holds no FramebufferUpdate.");
        }

        return new LoadedTrace(path, width, height, updates);
    }

    /// <summary>The framebuffer after every update, decoded independently of any server.</summary>
    public TraceFramebuffer FinalFrame()
    {
        var fb = new TraceFramebuffer(Width, Height);
        foreach (TraceUpdate u in Updates)
        {
            fb.Apply(u);
        }

        return fb;
    }
}
