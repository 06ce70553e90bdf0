using System.Runtime.InteropServices;
using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

public sealed unsafe class GuestSurfaceTests
{
    // 'N' 'V' '1' '2': a real fourcc (NV12) that guest-memory surfaces do not support.
    private const DrmFourcc Nv12 = (DrmFourcc)0x3231564E;

    [Theory]
    [InlineData(DrmFourcc.Xrgb8888)]
    [InlineData(DrmFourcc.Abgr8888)]
    [InlineData(DrmFourcc.Rgb565)]
    public void FromPointer_NativeMemory_BehavesLikeManagedMemory(DrmFourcc format)
    {
        const int Width = 131, Height = 70;
        int bpp = ReferencePixels.BytesPerPixel(format);
        int stride = Width * bpp + 6;
        int length = stride * Height;
        byte* native = (byte*)NativeMemory.Alloc((nuint)length);
        try
        {
            var managed = new TestSurface(Width, Height, format, padding: 6, seed: 7);
            var bytes = new Span<byte>(native, length);
            managed.Memory.CopyTo(bytes);

            using DisplayConsole nativeConsole = TestSurface.ManualConsole();
            using DisplayConsole managedConsole = TestSurface.ManualConsole();
            nativeConsole.SwitchSurface(GuestSurface.FromPointer((nint)native, length, Width, Height, stride, format));
            managedConsole.SwitchSurface(managed.Surface);
            uint[] expected = ReferencePixels.Canonical(bytes, Width, Height, stride, format);
            Assert.Equal(expected, ReferencePixels.Shadow(nativeConsole));
            Assert.Equal(expected, ReferencePixels.Shadow(managedConsole));

            // Draw the same change into both and let each console find it.
            for (int x = 60; x < 70; x++)
            {
                bytes[40 * stride + x * bpp] ^= 0xFF;
                managed.Memory[40 * stride + x * bpp] ^= 0xFF;
            }

            long before = ReferencePixels.Generation(nativeConsole);
            nativeConsole.Invalidate(0, 0, Width, Height);
            managedConsole.Invalidate(0, 0, Width, Height);
            Assert.True(nativeConsole.Refresh());
            Assert.True(managedConsole.Refresh());
            expected = ReferencePixels.Canonical(bytes, Width, Height, stride, format);
            Assert.Equal(expected, ReferencePixels.Shadow(nativeConsole));
            Assert.Equal(expected, ReferencePixels.Shadow(managedConsole));
            Assert.Equal(ReferencePixels.TileGenerations(managedConsole), ReferencePixels.TileGenerations(nativeConsole));

            // Columns 60..69 of row 40 lie in tile columns 0 and 1 of tile row 0.
            long[] generations = ReferencePixels.TileGenerations(nativeConsole);
            Assert.Equal(new[] { before + 1, before + 1, before, before, before, before }, generations);
        }
        finally
        {
            NativeMemory.Free(native);
        }
    }

    [Fact]
    public void FromPointer_ExactMinimumLength_Accepted()
    {
        // The last row needs no padding: stride * (height - 1) + width * bpp bytes.
        const int Width = 10, Height = 4, Stride = 48;
        int length = Stride * (Height - 1) + Width * 4;
        byte* native = (byte*)NativeMemory.AllocZeroed((nuint)length);
        try
        {
            GuestSurface surface = GuestSurface.FromPointer((nint)native, length, Width, Height, Stride, DrmFourcc.Xrgb8888);
            Assert.Equal((Width, Height, Stride, DrmFourcc.Xrgb8888, 4), (surface.Width, surface.Height, surface.Stride, surface.Format, surface.BytesPerPixel()));
            native[(Height - 1) * Stride + (Width - 1) * 4 + 2] = 0x42; // red of the very last pixel
            using DisplayConsole console = TestSurface.ManualConsole();
            console.SwitchSurface(surface);
            Assert.Equal(0x00420000u, ReferencePixels.Shadow(console)[Width * Height - 1]);
        }
        finally
        {
            NativeMemory.Free(native);
        }
    }

    [Fact]
    public void FromPointer_LengthOneByteShort_ThrowsArgumentException()
    {
        const int Width = 10, Height = 4, Stride = 48;
        int length = Stride * (Height - 1) + Width * 4;
        byte* native = (byte*)NativeMemory.AllocZeroed((nuint)length);
        try
        {
            var e = Assert.Throws<ArgumentException>(() => GuestSurface.FromPointer((nint)native, length - 1, Width, Height, Stride, DrmFourcc.Xrgb8888));
            Assert.Equal("length", e.ParamName);
        }
        finally
        {
            NativeMemory.Free(native);
        }
    }

    [Fact]
    public void FromPointer_NullPointer_ThrowsArgumentNull()
    {
        var e = Assert.Throws<ArgumentNullException>(() => GuestSurface.FromPointer(0, 100, 5, 5, 20, DrmFourcc.Xrgb8888));
        Assert.Equal("pointer", e.ParamName);
    }

    [Theory]
    [InlineData(DrmFourcc.Xrgb8888, 16, 16, 64, 64 * 15 + 63)]
    [InlineData(DrmFourcc.Rgb565, 16, 16, 40, 40 * 15 + 31)]
    [InlineData(DrmFourcc.Argb8888, 1, 1, 4, 0)]
    public void FromMemory_TooSmall_ThrowsArgumentException(DrmFourcc format, int width, int height, int stride, int length)
    {
        var e = Assert.Throws<ArgumentException>(() => GuestSurface.FromMemory(new byte[length], width, height, stride, format));
        Assert.Equal("length", e.ParamName);
    }

    [Theory]
    [InlineData(DrmFourcc.Xrgb8888, 16, 63)]
    [InlineData(DrmFourcc.Rgb565, 16, 31)]
    [InlineData(DrmFourcc.Abgr8888, 16, 0)]
    [InlineData(DrmFourcc.Xbgr8888, 16, -64)]
    public void FromMemory_StrideBelowRowBytes_ThrowsArgumentOutOfRange(DrmFourcc format, int width, int stride)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GuestSurface.FromMemory(new byte[1 << 16], width, 16, stride, format));
        Assert.Equal("stride", e.ParamName);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 0)]
    [InlineData(-1, 10)]
    [InlineData(10, -5)]
    [InlineData(GuestSurface.MaxDimension + 1, 1)]
    [InlineData(1, GuestSurface.MaxDimension + 1)]
    public void FromMemory_SizeOutOfRange_ThrowsArgumentOutOfRange(int width, int height)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GuestSurface.FromMemory(new byte[1 << 20], width, height, 1 << 16, DrmFourcc.Xrgb8888));
    }

    [Fact]
    public void FromMemory_MaxDimensionWide_Accepted()
    {
        GuestSurface surface = GuestSurface.FromMemory(new byte[GuestSurface.MaxDimension * 2], GuestSurface.MaxDimension, 1, GuestSurface.MaxDimension * 2, DrmFourcc.Rgb565);
        Assert.Equal(GuestSurface.MaxDimension, surface.Width);
    }

    [Fact]
    public void FromMemory_UnsupportedFourcc_ThrowsNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => GuestSurface.FromMemory(new byte[4096], 8, 8, 32, Nv12));
        Assert.Throws<NotSupportedException>(() => GuestSurface.BytesPerPixel(Nv12));
    }

    [Fact]
    public void FromPointer_UnsupportedFourcc_ThrowsNotSupported()
    {
        byte* native = (byte*)NativeMemory.AllocZeroed(4096);
        try
        {
            Assert.Throws<NotSupportedException>(() => GuestSurface.FromPointer((nint)native, 4096, 8, 8, 32, Nv12));
        }
        finally
        {
            NativeMemory.Free(native);
        }
    }

    [Fact]
    public void DrmFourcc_Values_MatchDrmFourccHeader()
    {
        // fourcc_code(a, b, c, d) = a | b << 8 | c << 16 | d << 24, as drm_fourcc.h defines it;
        // the hex values are those of the header's XR24, AR24, XB24, AB24 and RG16.
        Assert.Equal(0x34325258u, (uint)DrmFourcc.Xrgb8888);
        Assert.Equal(0x34325241u, (uint)DrmFourcc.Argb8888);
        Assert.Equal(0x34324258u, (uint)DrmFourcc.Xbgr8888);
        Assert.Equal(0x34324241u, (uint)DrmFourcc.Abgr8888);
        Assert.Equal(0x36314752u, (uint)DrmFourcc.Rgb565);
    }
}
