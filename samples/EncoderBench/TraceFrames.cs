using Rfb.Recording;

namespace EncoderBench;

/// <summary>
/// The rectangles of a recorded trace as the recording server sent them, each with the
/// framebuffer it was drawn on: what TigerVNC's encperf encodes, with CopyRect left out.
/// </summary>
internal sealed class TraceFrames
{
    private TraceFrames(string name, int width, int height, List<(uint[] Framebuffer, List<(int X, int Y, int W, int H)> Rects)> updates)
    {
        Name = name;
        Width = width;
        Height = height;
        Updates = updates;
    }

    public string Name { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>For each update (or a sample of them): the framebuffer after it, and its Raw rectangles.</summary>
    public List<(uint[] Framebuffer, List<(int X, int Y, int W, int H)> Rects)> Updates { get; }

    public long Pixels
    {
        get
        {
            long total = 0;
            foreach (var (_, rects) in Updates)
            {
                foreach (var r in rects)
                {
                    total += (long)r.W * r.H;
                }
            }

            return total;
        }
    }

    /// <summary>Decodes a trace, keeping every <paramref name="every"/>-th update (1 keeps all).</summary>
    public static TraceFrames Load(string path, int every, int maxUpdates = int.MaxValue)
    {
        using var reader = new FbsReader(path);
        TraceFramebuffer? framebuffer = null;
        var updates = new List<(uint[], List<(int, int, int, int)>)>();
        int index = 0;
        foreach (TraceEvent e in RecordedSessionDecoder.ReadEvents(reader))
        {
            if (e is TraceServerInit init)
            {
                framebuffer = new TraceFramebuffer(init.Width, init.Height);
                continue;
            }

            if (e is not TraceUpdate update || framebuffer is null)
            {
                continue;
            }

            framebuffer.Apply(update);
            if (index++ % every != 0 || updates.Count >= maxUpdates)
            {
                continue;
            }

            var rects = new List<(int, int, int, int)>();
            foreach (TraceOperation op in update.Operations)
            {
                if (op.Kind == TraceOperationKind.Raw && op.Width > 0 && op.Height > 0)
                {
                    rects.Add((op.X, op.Y, op.Width, op.Height));
                }
            }

            if (rects.Count == 0)
            {
                continue;
            }

            var pixels = new uint[framebuffer.Width * framebuffer.Height];
            Buffer.BlockCopy(framebuffer.Pixels, 0, pixels, 0, pixels.Length * 4);
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] &= 0x00FFFFFF;
            }

            updates.Add((pixels, rects));
        }

        if (framebuffer is null)
        {
            throw new InvalidDataException($"{path}: no ServerInit");
        }

        return new TraceFrames(Path.GetFileName(path), framebuffer.Width, framebuffer.Height, updates);
    }
}
