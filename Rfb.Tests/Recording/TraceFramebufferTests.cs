using Rfb.Recording;

namespace Rfb.Tests.Recording;

public sealed class TraceFramebufferTests
{
    // Every case starts from the 3x3 frame
    //   1 2 3
    //   4 5 6
    //   7 8 9
    // and the expected frames are worked out by hand.
    [Theory]
    [InlineData(0, 0, 1, 1, 2, 2, new uint[] { 1, 2, 3, 4, 1, 2, 7, 4, 5 })] // down-right, overlapping
    [InlineData(1, 1, 0, 0, 2, 2, new uint[] { 5, 6, 3, 8, 9, 6, 7, 8, 9 })] // up-left, overlapping
    [InlineData(0, 0, 1, 0, 2, 1, new uint[] { 1, 1, 2, 4, 5, 6, 7, 8, 9 })] // right within a row
    [InlineData(1, 0, 0, 0, 2, 1, new uint[] { 2, 3, 3, 4, 5, 6, 7, 8, 9 })] // left within a row
    [InlineData(0, 0, 0, 1, 3, 2, new uint[] { 1, 2, 3, 1, 2, 3, 4, 5, 6 })] // down by one row
    [InlineData(0, 1, 0, 0, 3, 2, new uint[] { 4, 5, 6, 7, 8, 9, 7, 8, 9 })] // up by one row
    [InlineData(2, 2, 0, 0, 1, 1, new uint[] { 9, 2, 3, 4, 5, 6, 7, 8, 9 })] // disjoint
    public void Copy_OverlappingOrNot_MovesPixelsAsIfThroughATemporary(int sx, int sy, int dx, int dy, int w, int h, uint[] expected)
    {
        TraceFramebuffer framebuffer = OneToNine();
        framebuffer.Apply(TraceOperation.Copy(sx, sy, dx, dy, w, h));
        Assert.Equal(expected, RecordedSessionDecoderTests.Pixels(framebuffer));
    }

    [Fact]
    public void Apply_DesktopSize_ReallocatesBlack()
    {
        TraceFramebuffer framebuffer = OneToNine();
        byte[] before = framebuffer.Pixels;
        framebuffer.Apply(TraceOperation.DesktopSize(2, 4));
        Assert.NotSame(before, framebuffer.Pixels);
        Assert.Equal((2, 4, 8), (framebuffer.Width, framebuffer.Height, framebuffer.Stride));
        Assert.Equal(new byte[32], framebuffer.Pixels);
    }

    [Fact]
    public void Apply_RawOutsideFramebuffer_ThrowsArgumentOutOfRange()
    {
        TraceFramebuffer framebuffer = OneToNine();
        Assert.Throws<ArgumentOutOfRangeException>(() => framebuffer.Apply(TraceOperation.Raw(2, 0, 2, 1, new byte[8])));
        Assert.Throws<ArgumentOutOfRangeException>(() => framebuffer.Apply(TraceOperation.Copy(0, 2, 0, 0, 1, 2)));
    }

    private static TraceFramebuffer OneToNine()
    {
        var framebuffer = new TraceFramebuffer(3, 3);
        var pixels = new byte[36];
        for (int i = 0; i < 9; i++)
        {
            pixels[i * 4] = (byte)(i + 1); // blue byte first: the little-endian word is i + 1
        }

        framebuffer.Apply(TraceOperation.Raw(0, 0, 3, 3, pixels));
        return framebuffer;
    }
}
