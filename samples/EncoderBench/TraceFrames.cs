using System.Runtime.InteropServices;
using Rfb.Recording;

namespace EncoderBench;

/// <summary>
/// The rectangles of a recorded trace as the recording server sent them, each with the pixels
/// it held after its update: what TigerVNC's encperf encodes, with CopyRect left out. Only the
/// rectangles' pixels are kept (not a framebuffer per update), so a whole trace fits in memory:
/// an update's rectangles are packed side by side in rows (shelves) of one surface, which the
/// encoders take as one batch, as a server encodes an update's rectangles from its framebuffer.
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

    /// <summary>
    /// Decodes a trace, keeping every <paramref name="every"/>-th update (1 keeps all). With
    /// <paramref name="union"/>, an update's rectangles are replaced by the rectangles of their
    /// union (<see cref="TraceRegion"/>), as TigerVNC's encperf groups them; otherwise they are
    /// kept as the recording server sent them.
    /// </summary>
    public static TraceFrames Load(string path, int every, int maxUpdates = int.MaxValue, bool union = false)
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

            var raws = new List<(int X, int Y, int Width, int Height)>();
            foreach (TraceOperation op in update.Operations)
            {
                if (op.Kind == TraceOperationKind.Raw && op.Width > 0 && op.Height > 0)
                {
                    raws.Add((op.X, op.Y, op.Width, op.Height));
                }
            }

            if (union)
            {
                raws = TraceRegion.Union(raws);
            }

            List<TraceRect> rects = Pack(framebuffer, raws);
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

    /// <summary>Copies the rectangles' pixels into one surface, left to right in shelves at least as wide as the screen.</summary>
    private static List<TraceRect> Pack(TraceFramebuffer framebuffer, List<(int X, int Y, int Width, int Height)> raws)
    {
        int width = Math.Max(framebuffer.Width, raws.Count == 0 ? 1 : raws.Max(r => r.Width));
        var places = new List<(int X, int Y)>(raws.Count);
        int x = 0, y = 0, shelf = 0;
        foreach ((int X, int Y, int Width, int Height) op in raws)
        {
            if (x + op.Width > width)
            {
                x = 0;
                y += shelf;
                shelf = 0;
            }

            places.Add((x, y));
            x += op.Width;
            shelf = Math.Max(shelf, op.Height);
        }

        var surface = new uint[width * Math.Max(1, y + shelf)];
        var rects = new List<TraceRect>(raws.Count);
        for (int k = 0; k < raws.Count; k++)
        {
            (int X, int Y, int Width, int Height) op = raws[k];
            (int px, int py) = places[k];
            for (int row = 0; row < op.Height; row++)
            {
                ReadOnlySpan<uint> source = MemoryMarshal.Cast<byte, uint>(framebuffer.Pixels.AsSpan((op.Y + row) * framebuffer.Stride)).Slice(op.X, op.Width);
                Span<uint> target = surface.AsSpan(((py + row) * width) + px, op.Width);
                for (int i = 0; i < target.Length; i++)
                {
                    target[i] = source[i] & 0x00FF_FFFF;
                }
            }

            rects.Add(new TraceRect(op.X, op.Y, op.Width, op.Height, surface, width, px, py));
        }

        return rects;
    }
}
