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
