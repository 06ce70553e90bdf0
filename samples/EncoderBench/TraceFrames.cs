using System.Runtime.InteropServices;
using Rfb.Recording;

namespace EncoderBench;

/// <summary>
/// The rectangles of a recorded trace as the recording server sent them, each with the pixels
/// it held after its update: what TigerVNC's encperf encodes, with CopyRect left out. Only the
/// rectangles' pixels are kept (not a framebuffer per update), so a whole trace fits in memory.
/// </summary>
internal sealed class TraceFrames
{
    private TraceFrames(string name, int width, int height, List<List<TraceRect>> updates)
    {
        Name = name;
        Width = width;
        Height = height;
        Updates = updates;
    }

    public string Name { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>For each update (or a sample of them): its Raw rectangles with their pixels.</summary>
    public List<List<TraceRect>> Updates { get; }

    public long Pixels
    {
        get
        {
            long total = 0;
            foreach (List<TraceRect> rects in Updates)
            {
                foreach (TraceRect r in rects)
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
        var updates = new List<List<TraceRect>>();
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

            var rects = new List<TraceRect>();
            foreach (TraceOperation op in update.Operations)
            {
                if (op.Kind == TraceOperationKind.Raw && op.Width > 0 && op.Height > 0)
                {
                    var pixels = new uint[op.Width * op.Height];
                    for (int row = 0; row < op.Height; row++)
                    {
                        ReadOnlySpan<uint> source = MemoryMarshal.Cast<byte, uint>(framebuffer.Pixels.AsSpan((op.Y + row) * framebuffer.Stride)).Slice(op.X, op.Width);
                        Span<uint> target = pixels.AsSpan(row * op.Width, op.Width);
                        for (int i = 0; i < target.Length; i++)
                        {
                            target[i] = source[i] & 0x00FF_FFFF;
                        }
                    }

                    rects.Add(new TraceRect(op.X, op.Y, op.Width, op.Height, pixels));
                }
            }

            if (rects.Count > 0)
            {
                updates.Add(rects);
            }
        }

        if (framebuffer is null)
        {
            throw new InvalidDataException($"{path}: no ServerInit");
        }

        return new TraceFrames(Path.GetFileName(path), framebuffer.Width, framebuffer.Height, updates);
    }
}
