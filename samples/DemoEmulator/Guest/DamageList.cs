using ConsoleBridge;

namespace DemoEmulator.Guest;

/// <summary>
/// The rectangles redrawn in one frame, clipped to the screen. Two rectangles are merged only
/// when their bounding box costs no more pixels than drawing both, so a moving window becomes one
/// rectangle (old and new place overlap) while far-apart changes stay apart. Fixed capacity: no
/// allocation per frame.
/// </summary>
internal sealed class DamageList
{
    public const int Capacity = 32;

    private readonly PixelRect[] _rects = new PixelRect[Capacity];
    private PixelRect _bounds;

    public int Count { get; private set; }

    public ReadOnlySpan<PixelRect> Rects => _rects.AsSpan(0, Count);

    /// <summary>Sum of the rectangles' areas (overlaps counted twice).</summary>
    public long Area
    {
        get
        {
            long area = 0;
            foreach (PixelRect r in Rects)
            {
                area += r.Area;
            }

            return area;
        }
    }

    /// <summary>Forgets every rectangle; later ones are clipped to <paramref name="bounds"/>.</summary>
    public void Reset(PixelRect bounds)
    {
        _bounds = bounds;
        Count = 0;
    }

    public void Add(PixelRect rect)
    {
        rect = rect.Intersect(_bounds);
        if (rect.IsEmpty)
        {
            return;
        }

        bool merged = true;
        while (merged)
        {
            merged = false;
            for (int i = 0; i < Count; i++)
            {
                PixelRect other = _rects[i];
                if (other.Contains(rect))
                {
                    return;
                }

                PixelRect union = rect.Union(other);
                if (union.Area <= rect.Area + other.Area)
                {
                    rect = union;
                    _rects[i] = _rects[--Count];
                    merged = true;
                    break;
                }
            }
        }

        if (Count == Capacity)
        {
            // Too many scattered pieces: one box over all of them.
            for (int i = 0; i < Count; i++)
            {
                rect = rect.Union(_rects[i]);
            }

            Count = 0;
        }

        _rects[Count++] = rect;
    }
}
