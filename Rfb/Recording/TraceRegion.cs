namespace Rfb.Recording;

/// <summary>
/// The union of an update's rectangles as y-banded rectangles, the form X11 and pixman regions
/// take: each band is a run of rows with the same covered x-intervals, intervals that touch or
/// overlap are one, and adjacent bands with the same intervals are one band. TigerVNC's encperf
/// adds every recorded rectangle of an update to such a region and encodes the region's
/// rectangles, so rectangles the recording server had cut apart are encoded whole; the encoder
/// benchmark's <c>--union</c> groups them the same way with this.
/// </summary>
public static class TraceRegion
{
    /// <summary>The union of <paramref name="rects"/> (empty ones ignored), top band first, left to right in a band.</summary>
    public static List<(int X, int Y, int Width, int Height)> Union(IReadOnlyList<(int X, int Y, int Width, int Height)> rects)
    {
        var edges = new SortedSet<int>();
        foreach ((int x, int y, int w, int h) in rects)
        {
            if (w > 0 && h > 0)
            {
                edges.Add(y);
                edges.Add(y + h);
            }
        }

        var result = new List<(int X, int Y, int Width, int Height)>();
        var previous = new List<(int Left, int Right)>();
        int previousTop = 0;
        int previousBottom = int.MinValue;
        var intervals = new List<(int Left, int Right)>();
        int[] ys = [.. edges];
        for (int b = 0; b + 1 < ys.Length; b++)
        {
            int top = ys[b];
            int bottom = ys[b + 1];
            intervals.Clear();
            foreach ((int x, int y, int w, int h) in rects)
            {
                if (w > 0 && h > 0 && y <= top && y + h >= bottom)
                {
                    intervals.Add((x, x + w));
                }
            }

            intervals.Sort();
            var merged = new List<(int Left, int Right)>();
            foreach ((int left, int right) in intervals)
            {
                if (merged.Count > 0 && left <= merged[^1].Right)
                {
                    merged[^1] = (merged[^1].Left, Math.Max(merged[^1].Right, right));
                }
                else
                {
                    merged.Add((left, right));
                }
            }

            if (previousBottom == top && merged.SequenceEqual(previous))
            {
                previousBottom = bottom;
                continue;
            }

            Emit(result, previous, previousTop, previousBottom);
            previous = merged;
            previousTop = top;
            previousBottom = bottom;
        }

        Emit(result, previous, previousTop, previousBottom);
        return result;
    }

    private static void Emit(List<(int X, int Y, int Width, int Height)> result, List<(int Left, int Right)> band, int top, int bottom)
    {
        foreach ((int left, int right) in band)
        {
            result.Add((left, top, right - left, bottom - top));
        }
    }
}
