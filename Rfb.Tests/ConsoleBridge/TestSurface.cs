using System.Buffers.Binary;
using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

/// <summary>An emulator's scanout in managed memory, filled with seeded noise, that tests draw into.</summary>
internal sealed class TestSurface
{
    public TestSurface(int width, int height, DrmFourcc format = DrmFourcc.Xrgb8888, int padding = 0, int seed = 1)
    {
        Width = width;
        Height = height;
        Format = format;
        BytesPerPixel = ReferencePixels.BytesPerPixel(format);
        Stride = width * BytesPerPixel + padding;
        Memory = new byte[Stride * height];
        new Random(seed).NextBytes(Memory);
        Surface = GuestSurface.FromMemory(Memory, width, height, Stride, format);
    }

    public int Width { get; }

    public int Height { get; }

    public int Stride { get; }

    public int BytesPerPixel { get; }

    public DrmFourcc Format { get; }

    public byte[] Memory { get; }

    public GuestSurface Surface { get; }

    /// <summary>Writes a 32-bit pixel word (for the 32-bpp formats).</summary>
    public void SetWord(int x, int y, uint word) =>
        BinaryPrimitives.WriteUInt32LittleEndian(Memory.AsSpan(y * Stride + x * 4), word);

    public uint GetWord(int x, int y) =>
        BinaryPrimitives.ReadUInt32LittleEndian(Memory.AsSpan(y * Stride + x * 4));

    /// <summary>Changes the colour of a 32-bpp pixel so that it surely differs in the shadow.</summary>
    public void Touch(int x, int y) => SetWord(x, y, GetWord(x, y) ^ 0x0000_0101u);

    /// <summary>What the shadow should hold for this surface, computed by the reference.</summary>
    public uint[] Expected() => ReferencePixels.Canonical(Memory, Width, Height, Stride, Format);

    /// <summary>Does in guest memory what a guest blit does.</summary>
    public void Blit(PixelRect source, int destinationX, int destinationY) =>
        ReferencePixels.Blit(Memory, Stride, BytesPerPixel, source, destinationX, destinationY);

    public static DisplayConsole ManualConsole() => new(options: new DisplayConsoleOptions { AutoRefresh = false });
}
