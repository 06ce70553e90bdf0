using System.Numerics;
using ConsoleBridge;
using ConsoleBridge.Surfaces;

namespace Rfb.Tests.ConsoleBridge;

public sealed class PixelRowConverterTests
{
    // Golden pixels worked out by hand from drm_fourcc.h ("[31:0] x:R:G:B 8:8:8:8 little endian" etc.):
    // bytes as they lie in memory, and the canonical 0x00RRGGBB value they must become.
    public static TheoryData<DrmFourcc, byte[], uint[]> GoldenRows => new()
    {
        // XRGB8888: memory B, G, R, X. The X byte (0xEE, 0xFF, 0x01) must vanish.
        { DrmFourcc.Xrgb8888, [0x33, 0x22, 0x11, 0xEE, 0x00, 0x00, 0xFF, 0xFF, 0xFE, 0x80, 0x01, 0x01], [0x00112233u, 0x00FF0000u, 0x000180FEu] },
        // ARGB8888: memory B, G, R, A. Alpha 0xFF, 0x00, 0x7F is ignored.
        { DrmFourcc.Argb8888, [0x33, 0x22, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x0C, 0xB0, 0x0A, 0x7F], [0x00112233u, 0x00FFFFFFu, 0x000AB00Cu] },
        // XBGR8888: memory R, G, B, X.
        { DrmFourcc.Xbgr8888, [0x11, 0x22, 0x33, 0xEE, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x80, 0xFE, 0x01], [0x00112233u, 0x00FF0000u, 0x000180FEu] },
        // ABGR8888: memory R, G, B, A.
        { DrmFourcc.Abgr8888, [0x11, 0x22, 0x33, 0xFF, 0x00, 0x00, 0xFF, 0x80, 0x0A, 0xB0, 0x0C, 0x7F], [0x00112233u, 0x000000FFu, 0x000AB00Cu] },
        // RGB565 little endian, each channel widened by repeating its top bits below it:
        // 0xF800 red 31 -> 0xFF; 0x07E0 green 63 -> 0xFF; 0x001F blue 31 -> 0xFF;
        // 0x8401: r=16 -> 1000_0100 = 0x84, g=32 -> 1000_0010 = 0x82, b=1 -> 0000_1000 = 0x08;
        // 0x7BF5: r=15 -> 0111_1011 = 0x7B, g=31 -> 0111_1101 = 0x7D, b=21 -> 1010_1101 = 0xAD;
        // 0x0000 -> black, 0xFFFF -> white.
        {
            DrmFourcc.Rgb565,
            [0x00, 0xF8, 0xE0, 0x07, 0x1F, 0x00, 0x01, 0x84, 0xF5, 0x7B, 0x00, 0x00, 0xFF, 0xFF],
            [0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0x00848208u, 0x007B7DADu, 0x00000000u, 0x00FFFFFFu]
        },
    };

    public static TheoryData<DrmFourcc> Formats =>
        [DrmFourcc.Xrgb8888, DrmFourcc.Argb8888, DrmFourcc.Xbgr8888, DrmFourcc.Abgr8888, DrmFourcc.Rgb565];

    [Theory]
    [MemberData(nameof(GoldenRows))]
    public void ToCanonical_GoldenPixels_MatchHandComputedValues(DrmFourcc format, byte[] source, uint[] expected)
    {
        var destination = new uint[expected.Length];
        PixelRowConverter.ToCanonical(source, format, destination);
        Assert.Equal(expected, destination);
    }

    [Theory]
    [MemberData(nameof(GoldenRows))]
    public void ToCanonical_GoldenPixelsRepeatedPastVectorWidth_MatchEveryLane(DrmFourcc format, byte[] pixels, uint[] values)
    {
        // Repeat the golden row so the vector loop and the scalar remainder both see every value
        // in every lane position.
        int count = Vector<uint>.Count * 3 + 5;
        var source = new byte[count * pixels.Length];
        var expected = new uint[count * values.Length];
        for (int i = 0; i < count; i++)
        {
            pixels.CopyTo(source, i * pixels.Length);
            values.CopyTo(expected, i * values.Length);
        }

        var destination = new uint[expected.Length];
        PixelRowConverter.ToCanonical(source, format, destination);
        Assert.Equal(expected, destination);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ToCanonical_EveryWidthAroundVectorSize_MatchesReference(DrmFourcc format)
    {
        // Widths from 1 (scalar only) to past two vectors (vector body plus remainder).
        int bpp = ReferencePixels.BytesPerPixel(format);
        var random = new Random(42);
        for (int width = 1; width <= Vector<uint>.Count * 2 + 3; width++)
        {
            var source = new byte[width * bpp];
            random.NextBytes(source);
            var expected = new uint[width];
            for (int x = 0; x < width; x++)
            {
                expected[x] = ReferencePixels.Canonical(source.AsSpan(x * bpp, bpp), format);
            }

            var destination = new uint[width];
            PixelRowConverter.ToCanonical(source, format, destination);
            Assert.Equal(expected, destination);
        }
    }

    [Fact]
    public void ToCanonical_UnsupportedFormat_ThrowsNotSupported()
    {
        var destination = new uint[1];
        Assert.Throws<NotSupportedException>(() => PixelRowConverter.ToCanonical(new byte[4], (DrmFourcc)0x3231564E, destination));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void SwitchSurface_OddWidthsAndPaddedStride_ShadowMatchesReference(DrmFourcc format)
    {
        foreach (int width in new[] { 1, 3, 7, 9, 17, 33, 65, 131 })
        {
            // 13 bytes of padding: rows start at unaligned offsets, and the padding (noise) must not leak in.
            var surface = new TestSurface(width, 5, format, padding: 13, seed: width);
            using DisplayConsole console = TestSurface.ManualConsole();
            console.SwitchSurface(surface.Surface);
            Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        }
    }

    [Theory]
    [InlineData(DrmFourcc.Xrgb8888)]
    [InlineData(DrmFourcc.Argb8888)]
    [InlineData(DrmFourcc.Xbgr8888)]
    [InlineData(DrmFourcc.Abgr8888)]
    public void Refresh_OnlyAlphaOrPaddingBytesChanged_ShadowUnchangedAndTopByteZero(DrmFourcc format)
    {
        var surface = new TestSurface(37, 20, format, padding: 8);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long generation = ReferencePixels.Generation(console);
        uint[] before = ReferencePixels.Shadow(console);
        Assert.All(before, p => Assert.Equal(0u, p >> 24));

        for (int y = 0; y < surface.Height; y++)
        {
            for (int x = 0; x < surface.Width; x++)
            {
                surface.Memory[y * surface.Stride + x * 4 + 3] ^= 0xA5; // the X or A byte
            }

            surface.Memory.AsSpan(y * surface.Stride + surface.Width * 4, 8).Fill(0x5A);
        }

        console.Invalidate(0, 0, surface.Width, surface.Height);
        Assert.False(console.Refresh());
        Assert.Equal(before, ReferencePixels.Shadow(console));
        Assert.Equal(generation, ReferencePixels.Generation(console));
    }

    [Fact]
    public void Refresh_Rgb565ChangeInsideRow_ExpandsByBitReplication()
    {
        var surface = new TestSurface(70, 3, DrmFourcc.Rgb565, padding: 2);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);

        // 0x7BF5 at (66, 1): hand-computed above as 0x007B7DAD.
        surface.Memory[1 * surface.Stride + 66 * 2] = 0xF5;
        surface.Memory[1 * surface.Stride + 66 * 2 + 1] = 0x7B;
        console.Invalidate(60, 0, 10, 3);
        Assert.True(console.Refresh());
        uint[] shadow = ReferencePixels.Shadow(console);
        Assert.Equal(0x007B7DADu, shadow[1 * 70 + 66]);
        Assert.Equal(surface.Expected(), shadow);
    }
    [Theory]
    [InlineData(DrmFourcc.Xrgb8888)]
    [InlineData(DrmFourcc.Argb8888)]
    public void Refresh_ScatteredChangesAtEveryOffset_ShadowAndChangedBoundsExact(DrmFourcc format)
    {
        // 32-bit rows are masked, compared and copied in one pass, eight pixels at a time: change
        // one to three pixels of a row at random places (vector body, remainder, tile edges), with
        // noise in the top byte, and check the shadow and each changed tile's box of changes.
        var random = new Random(11);
        foreach (int width in new[] { 1, 7, 8, 9, 63, 64, 65, 71, 130 })
        {
            var surface = new TestSurface(width, 3, format, padding: 4, seed: width);
            using DisplayConsole console = TestSurface.ManualConsole();
            console.SwitchSurface(surface.Surface);
            for (int round = 0; round < 40; round++)
            {
                int y = random.Next(surface.Height);
                var touched = new List<int>();
                for (int n = random.Next(1, 4); n > 0; n--)
                {
                    int x = random.Next(width);
                    uint colour = (uint)random.Next(0x0100_0000);
                    if (colour == (surface.GetWord(x, y) & 0x00FF_FFFFu))
                    {
                        colour ^= 1;
                    }

                    surface.SetWord(x, y, colour | ((uint)random.Next(256) << 24));
                    touched.Add(x);
                }

                uint[] before = ReferencePixels.Shadow(console);
                console.Invalidate(0, 0, width, surface.Height);
                bool changed = console.Refresh();
                uint[] expected = surface.Expected();
                Assert.Equal(expected, ReferencePixels.Shadow(console));

                var differing = Enumerable.Range(0, width).Where(x => before[y * width + x] != expected[y * width + x]).ToList();
                Assert.Equal(differing.Count > 0, changed);
                using ShadowReadScope scope = console.ReadShadow();
                int tileSize = scope.Tiles.TileSize;
                foreach (IGrouping<int, int> inTile in differing.GroupBy(x => x / tileSize))
                {
                    PixelRect box = scope.Tiles.ChangeBounds(y / tileSize * scope.Tiles.Columns + inTile.Key);
                    Assert.Equal(new PixelRect(inTile.Min(), y, inTile.Max() - inTile.Min() + 1, 1), box);
                }
            }
        }
    }
}
