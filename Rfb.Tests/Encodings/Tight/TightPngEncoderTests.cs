using System.Buffers;
using Rfb.Encodings;
using Rfb.Encodings.Tight;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>TightPNG rectangles; the PNG images are decoded by netpbm's pngtopnm, an independent decoder.</summary>
public sealed class TightPngEncoderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Encode_Solid_WritesFill()
    {
        using var encoder = new TightPngEncoder();
        var output = new ArrayBufferWriter<byte>();

        encoder.Encode(new PixelView([0x010203, 0x010203], 2, 2, 1), 0, 0, new PixelTranslator(PixelFormat.Canonical), new EncodeSettings(), output);

        // Header with encoding -260 (0xFFFFFEFC), fill control 0x80 and the TPIXEL.
        Assert.Equal([0, 0, 0, 0, 0, 2, 0, 1, 0xFF, 0xFF, 0xFE, 0xFC, 0x80, 1, 2, 3], output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("palette")]
    [InlineData("smooth")]
    [InlineData("noise")]
    public async Task Encode_Lossless_PngDecodesPixelExact(string content)
    {
        string pngtopnm = RequiredTool.Locate("pngtopnm", "netpbm");
        const int Width = 90;
        const int Height = 50;
        var random = new Random(content.Length);
        var pixels = new uint[Width * Height];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                pixels[(y * Width) + x] = content switch
                {
                    "palette" => (uint)((x / 10) + (y / 10)) * 0x0F0E0D,
                    "smooth" => (uint)(((x * 2) << 16) | ((y * 3) << 8) | (x + y)),
                    _ => (uint)random.Next(0x1000000),
                };
            }
        }

        using var encoder = new TightPngEncoder();
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(1, encoder.Encode(new PixelView(pixels, Width, Width, Height), 0, 0, new PixelTranslator(PixelFormat.Canonical), new EncodeSettings(), output));

        var wire = new TightWire(output.WrittenSpan);
        wire.ReadHeader();
        Assert.Equal(0xA0, wire.ReadByte());
        byte[] png = wire.Take(wire.ReadCompactLength()).ToArray();
        Assert.True(wire.AtEnd);
        Assert.Equal(content == "palette" ? 3 : 2, png[25]); // IHDR colour type

        string directory = Directory.CreateTempSubdirectory("tightpng-").FullName;
        try
        {
            string path = Path.Combine(directory, "rect.png");
            await File.WriteAllBytesAsync(path, png, TestContext.Current.CancellationToken);
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(pngtopnm, [path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            using var ppm = new MemoryStream();
            using var cts = new CancellationTokenSource(Timeout);
            Task<string> errors = process.StandardError.ReadToEndAsync(cts.Token);
            await process.StandardOutput.BaseStream.CopyToAsync(ppm, cts.Token);
            await process.WaitForExitAsync(cts.Token);
            Assert.True(process.ExitCode == 0, await errors);
            Assert.Equal(pixels, ReadPpm(ppm.ToArray(), Width, Height));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Binary PPM (P6) with maxval 255: header "P6 w h 255" then RGB triples.</summary>
    private static uint[] ReadPpm(byte[] ppm, int width, int height)
    {
        int at = 0;
        string[] fields = new string[4];
        for (int f = 0; f < 4; f++)
        {
            while (char.IsWhiteSpace((char)ppm[at]))
            {
                at++;
            }

            int start = at;
            while (!char.IsWhiteSpace((char)ppm[at]))
            {
                at++;
            }

            fields[f] = System.Text.Encoding.ASCII.GetString(ppm, start, at - start);
        }

        at++;
        Assert.Equal(["P6", width.ToString(), height.ToString(), "255"], fields);
        var pixels = new uint[width * height];
        for (int i = 0; i < pixels.Length; i++, at += 3)
        {
            pixels[i] = (uint)((ppm[at] << 16) | (ppm[at + 1] << 8) | ppm[at + 2]);
        }

        return pixels;
    }
}
