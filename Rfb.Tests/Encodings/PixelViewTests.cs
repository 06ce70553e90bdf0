using Rfb.Encodings;

namespace Rfb.Tests.Encodings;

public sealed class PixelViewTests
{
    // A 5 x 4 buffer whose pixel (x, y) is 0x00YYXX00 + 0xAB.
    private static uint[] MakeBuffer(int width, int height)
    {
        var pixels = new uint[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                pixels[y * width + x] = (uint)((y << 16) | (x << 8) | 0xAB);
            }
        }

        return pixels;
    }

    [Fact]
    public void Slice_InsideView_RowsShowTheSubRectangle()
    {
        uint[] buffer = MakeBuffer(5, 4);
        var view = new PixelView(buffer, 5, 5, 4);
        PixelView slice = view.Slice(1, 2, 3, 2);
        Assert.Equal(3, slice.Width);
        Assert.Equal(2, slice.Height);
        Assert.Equal(5, slice.Stride);
        Assert.Equal([0x0201AB, 0x0202AB, 0x0203AB], slice.Row(0).ToArray());
        Assert.Equal([0x0301AB, 0x0302AB, 0x0303AB], slice.Row(1).ToArray());

        PixelView inner = slice.Slice(2, 1, 1, 1);
        Assert.Equal([0x0303AB], inner.Row(0).ToArray());
    }

    [Fact]
    public void Slice_SharesPixels_NoCopy()
    {
        uint[] buffer = MakeBuffer(5, 4);
        var view = new PixelView(buffer, 5, 5, 4);
        PixelView slice = view.Slice(4, 3, 1, 1);
        buffer[19] = 0x00C0FFEE;
        Assert.Equal(0x00C0FFEEu, slice.Row(0)[0]);
    }

    [Fact]
    public void Slice_EmptyRectangleAtEdge_IsEmpty()
    {
        uint[] buffer = MakeBuffer(5, 4);
        var view = new PixelView(buffer, 5, 5, 4);
        Assert.True(view.Slice(5, 4, 0, 0).IsEmpty);
        Assert.True(view.Slice(2, 4, 3, 0).IsEmpty);
        Assert.True(view.Slice(5, 0, 0, 4).IsEmpty);
        Assert.False(view.IsEmpty);
    }

    [Theory]
    [InlineData(-1, 0, 1, 1)]
    [InlineData(0, -1, 1, 1)]
    [InlineData(0, 0, -1, 1)]
    [InlineData(0, 0, 1, -1)]
    [InlineData(4, 0, 2, 1)]
    [InlineData(0, 3, 1, 2)]
    [InlineData(6, 0, 0, 0)]
    [InlineData(int.MaxValue, 0, 1, 1)]
    public void Slice_OutsideView_Throws(int x, int y, int width, int height)
    {
        uint[] buffer = MakeBuffer(5, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelView(buffer, 5, 5, 4).Slice(x, y, width, height));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void Row_OutsideView_Throws(int y)
    {
        uint[] buffer = MakeBuffer(5, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelView(buffer, 5, 5, 4).Slice(0, 0, 5, 2).Row(y));
    }

    [Fact]
    public void Constructor_SpanTooShortOrStrideTooSmall_Throws()
    {
        uint[] buffer = MakeBuffer(5, 4);
        // 4 rows of 5 with stride 6 need 3 * 6 + 5 = 23 pixels; there are 20.
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelView(buffer, 6, 5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelView(buffer, 4, 5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelView(buffer, 5, -1, 4));
        // The last row need not be padded to the stride: 3 * 6 + 2 = 20 pixels.
        Assert.Equal(2, new PixelView(buffer, 6, 2, 4).Row(3).Length);
    }
}
