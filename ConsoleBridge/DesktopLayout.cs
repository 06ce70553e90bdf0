namespace ConsoleBridge;

/// <summary>
/// An immutable picture of a <see cref="Desktop"/>: where each head lies and the size of the
/// framebuffer they form (the bounding box of the heads, from the origin). Areas no head covers
/// are black. A new layout, with a higher <see cref="Generation"/>, is made whenever a head is
/// added, removed, moved or changes size.
/// </summary>
public sealed class DesktopLayout
{
    internal DesktopLayout(long generation, DesktopPlacement[] heads)
    {
        Generation = generation;
        Heads = heads;
        int width = 0, height = 0;
        bool overlap = false;
        for (int i = 0; i < heads.Length; i++)
        {
            width = Math.Max(width, heads[i].Bounds.Right);
            height = Math.Max(height, heads[i].Bounds.Bottom);
            for (int j = 0; j < i; j++)
            {
                overlap |= heads[i].Bounds.IntersectsWith(heads[j].Bounds);
            }
        }

        // An empty desktop still has a framebuffer: RFB has no zero-sized one.
        Width = Math.Max(width, 1);
        Height = Math.Max(height, 1);
        HasOverlap = overlap;
    }

    /// <summary>Counts layout changes; only grows.</summary>
    public long Generation { get; }

    /// <summary>Framebuffer width: the right edge of the rightmost head (at least 1).</summary>
    public int Width { get; }

    /// <summary>Framebuffer height: the bottom edge of the lowest head (at least 1).</summary>
    public int Height { get; }

    /// <summary>The heads in the order they were added.</summary>
    public IReadOnlyList<DesktopPlacement> Heads { get; }

    /// <summary>Whether any two heads overlap (then the later one is shown on top).</summary>
    public bool HasOverlap { get; }

    /// <summary>The placement of the head with <paramref name="screenId"/>, or null.</summary>
    public DesktopPlacement? Find(int screenId)
    {
        foreach (DesktopPlacement p in Heads)
        {
            if (p.ScreenId == screenId)
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>The topmost head under (<paramref name="x"/>, <paramref name="y"/>), or null over a black area.</summary>
    public DesktopPlacement? HeadAt(int x, int y)
    {
        var point = new PixelRect(x, y, 1, 1);
        for (int i = Heads.Count - 1; i >= 0; i--)
        {
            if (Heads[i].Bounds.Contains(point))
            {
                return Heads[i];
            }
        }

        return null;
    }

    /// <summary>
    /// Adds the parts of the framebuffer that no head covers to <paramref name="output"/>, as
    /// disjoint rectangles: the framebuffer is cut along every head edge and uncovered cells of a
    /// band are joined left to right.
    /// </summary>
    public void UncoveredAreas(List<PixelRect> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var xs = new SortedSet<int> { 0, Width };
        var ys = new SortedSet<int> { 0, Height };
        foreach (DesktopPlacement p in Heads)
        {
            xs.Add(p.Bounds.X);
            xs.Add(p.Bounds.Right);
            ys.Add(p.Bounds.Y);
            ys.Add(p.Bounds.Bottom);
        }

        int[] xa = xs.ToArray();
        int[] ya = ys.ToArray();
        for (int j = 0; j + 1 < ya.Length; j++)
        {
            int runStart = -1;
            for (int i = 0; i + 1 < xa.Length; i++)
            {
                var cell = new PixelRect(xa[i], ya[j], xa[i + 1] - xa[i], ya[j + 1] - ya[j]);
                bool covered = false;
                foreach (DesktopPlacement p in Heads)
                {
                    if (p.Bounds.Contains(cell))
                    {
                        covered = true;
                        break;
                    }
                }

                if (!covered && runStart < 0)
                {
                    runStart = xa[i];
                }
                else if (covered && runStart >= 0)
                {
                    output.Add(new PixelRect(runStart, ya[j], xa[i] - runStart, cell.Height));
                    runStart = -1;
                }
            }

            if (runStart >= 0)
            {
                output.Add(new PixelRect(runStart, ya[j], xa[^1] - runStart, ya[j + 1] - ya[j]));
            }
        }
    }
}
