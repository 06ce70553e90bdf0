using Rfb.Encodings;

namespace EncoderBench;

/// <summary>One recorded rectangle: its place on the screen and its pixels (canonical, row after row, stride = width).</summary>
internal sealed record TraceRect(int X, int Y, int W, int H, uint[] Pixels)
{
    public PixelView View => new(Pixels, W, W, H);
}
