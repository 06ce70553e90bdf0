using Rfb.Encodings;

namespace EncoderBench;

/// <summary>
/// One recorded rectangle: its place on the screen (<see cref="X"/>, <see cref="Y"/>) and where
/// its pixels (canonical) lie in its update's packed surface.
/// </summary>
internal sealed record TraceRect(int X, int Y, int W, int H, uint[] Surface, int SurfaceStride, int SourceX, int SourceY)
{
    public PixelView View => new PixelView(Surface, SurfaceStride, SurfaceStride, Surface.Length / SurfaceStride).Slice(SourceX, SourceY, W, H);

    public BatchRect Batch => new(SourceX, SourceY, W, H, X, Y);
}

/// <summary>Rectangles cut as Tight cuts them.</summary>
internal static class TightPieces
{
    /// <summary>Each rectangle of <paramref name="frames"/> cut into pieces at most 2048 wide and of at most 65536 pixels (their view: <c>Rect.View.Slice(X, Y, Width, Height)</c>).</summary>
    public static IEnumerable<(TraceRect Rect, int X, int Y, int Width, int Height)> Cut(TraceFrames frames)
    {
        foreach (List<TraceRect> update in frames.Updates)
        {
            foreach (TraceRect r in update)
            {
                for (int x = 0; x < r.W; x += 2048)
                {
                    int w = Math.Min(2048, r.W - x);
                    int rows = Math.Max(1, 65536 / w);
                    for (int y = 0; y < r.H; y += rows)
                    {
                        yield return (r, x, y, w, Math.Min(rows, r.H - y));
                    }
                }
            }
        }
    }
}
