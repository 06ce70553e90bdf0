using System.Buffers;
using Rfb.Encodings;
using Rfb.Encodings.Tight;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>
/// The Tight encoders give a client the same pixels however many threads encode a rectangle
/// (TightPNG the same bytes; Tight on several threads may compress a large call's zlib data in
/// segments at once, which changes the bytes but not what they inflate to), the same bytes
/// again for the same thread count, and large solid areas inside a rectangle go out as fills.
/// </summary>
public sealed class TightParallelTests
{
    private const int Width = 1280;
    private const int Height = 720;

    private static readonly PixelTranslator s_canonical = new(PixelFormat.Canonical);

    /// <summary>
    /// A desktop-like frame: a solid background, a band of 2-colour "text", a 5-colour striped
    /// area, a smooth gradient and a block of noise, moved by <paramref name="shift"/> pixels.
    /// </summary>
    private static uint[] Frame(int shift)
    {
        var pixels = new uint[Width * Height];
        pixels.AsSpan().Fill(0x00_20_40_60);
        var random = new Random(11 + shift);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int sx = x + shift;
                uint p = pixels[(y * Width) + x];
                if (y < 200)
                {
                    p = ((sx * 7 / 3) ^ (y * 5 / 2)) % 5 == 0 ? 0x00_00_00_00u : 0x00_FF_FF_FFu;
                }
                else if (y < 320 && x < 900)
                {
                    p = (uint)((sx / 3) % 5) * 0x00_30_20_10u;
                }
                else if (y >= 400 && x < 640)
                {
                    p = (uint)((((sx * 255) / 640) << 16) | ((y - 400) * 255 / 320 << 8) | 0x40);
                }
                else if (y >= 400 && x >= 800 && x < 1200)
                {
                    p = (uint)random.Next(0x100_0000);
                }

                pixels[(y * Width) + x] = p;
            }
        }

        return pixels;
    }

    private static byte[] EncodeFrames(IRectangleEncoder encoder, EncodeSettings settings)
    {
        var output = new ArrayBufferWriter<byte>();
        for (int shift = 0; shift < 3; shift++)
        {
            uint[] frame = Frame(shift);
            var view = new PixelView(frame, Width, Width, Height);
            encoder.Encode(view, 0, 0, s_canonical, settings, output);
            encoder.Encode(view.Slice(100, 150, 700, 400), 100, 150, s_canonical, settings, output);
        }

        return output.WrittenSpan.ToArray();
    }

    public static TheoryData<bool, int> Cases => new()
    {
        { false, -1 },
        { false, 8 },
        { false, 2 },
        { true, -1 },
        { true, 8 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_OneThreadAndFourThreads_ClientSeesTheSamePixels(bool png, int quality)
    {
        if (quality >= 0)
        {
            TurboJpegRequirement.Ensure();
        }

        var settings = new EncodeSettings { QualityLevel = quality };
        IRectangleEncoder Create(int threads) => png ? new TightPngEncoder(threads) : new TightEncoder(threads);

        byte[] single;
        byte[] parallel;
        byte[] parallelAgain;
        using (IRectangleEncoder encoder = Create(1))
        {
            single = EncodeFrames(encoder, settings);
        }

        using (IRectangleEncoder encoder = Create(4))
        {
            parallel = EncodeFrames(encoder, settings);
        }

        using (IRectangleEncoder encoder = Create(4))
        {
            parallelAgain = EncodeFrames(encoder, settings);
        }

        Assert.True(single.Length > 1000);
        Assert.Equal(parallel, parallelAgain);
        if (png)
        {
            Assert.Equal(single, parallel);
        }

        int encoding = png ? EncodingType.TightPng : EncodingType.Tight;
        byte[] seen = ClientDecoding.Decode(single, encoding, Width, Height).Pixels;
        Assert.Equal(seen, ClientDecoding.Decode(parallel, encoding, Width, Height).Pixels);
        if (quality < 0)
        {
            // Lossless: the last frame's pixels, as encoded last (the 700×400 part on top of the whole frame).
            uint[] last = Frame(2);
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    Assert.Equal(last[(y * Width) + x] & 0xFFFFFF, BitConverter.ToUInt32(seen, ((y * Width) + x) * 4) & 0xFFFFFF);
                }
            }
        }
    }

    [Fact]
    public void Constructor_ZeroThreads_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TightEncoder(0));
    }

    [Fact]
    public void Encode_LargeSolidAreaInsideNoise_SendsItAsOneFillAndCoversTheRectangleOnce()
    {
        // 400x300 of noise (odd values, never the fill colour) around a 200x100 solid area at
        // (50, 60): 20,000 pixels, over the 16,384 minimum.
        const int W = 400;
        const int H = 300;
        var random = new Random(5);
        var pixels = new uint[W * H];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)random.Next(0x100_0000) | 1;
        }

        for (int y = 60; y < 160; y++)
        {
            pixels.AsSpan((y * W) + 50, 200).Fill(0x00_AB_CD_EE);
        }

        using var encoder = new TightEncoder(1);
        var output = new ArrayBufferWriter<byte>();
        int count = encoder.Encode(new PixelView(pixels, W, W, H), 10, 20, s_canonical, new EncodeSettings(), output);

        var wire = new TightWire(output.WrittenSpan);
        var inflaters = new TightInflaters();
        var covered = new int[W * H];
        var fills = new List<(int X, int Y, int W, int H, byte[] Colour)>();
        int rectangles = 0;
        while (!wire.AtEnd)
        {
            (int x, int y, int w, int h, int encoding) = wire.ReadHeader();
            rectangles++;
            Assert.Equal(EncodingType.Tight, encoding);
            int control = wire.ReadByte();
            if (control == 0x80)
            {
                fills.Add((x, y, w, h, wire.Take(3).ToArray()));
            }
            else
            {
                Assert.Equal(0, control & 0xF0); // noise: full colour on stream 0
                if ((control & 1) != 0)
                {
                    inflaters.Reset(0);
                }

                byte[] data = inflaters.Inflate(0, wire.Take(wire.ReadCompactLength()), w * h * 3);
                for (int row = 0; row < h; row++)
                {
                    for (int col = 0; col < w; col++)
                    {
                        int i = ((row * w) + col) * 3;
                        Assert.Equal(pixels[((y - 20 + row) * W) + x - 10 + col], (uint)((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]));
                    }
                }
            }

            for (int row = y - 20; row < y - 20 + h; row++)
            {
                for (int col = x - 10; col < x - 10 + w; col++)
                {
                    covered[(row * W) + col]++;
                }
            }
        }

        Assert.Equal(count, rectangles);
        var fill = Assert.Single(fills);
        Assert.Equal((60, 80, 200, 100), (fill.X, fill.Y, fill.W, fill.H));
        Assert.Equal(new byte[] { 0xAB, 0xCD, 0xEE }, fill.Colour);
        Assert.All(covered, c => Assert.Equal(1, c));
    }
}
