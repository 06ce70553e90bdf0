using System.Globalization;
using System.Text;

namespace Rfb.Tests.EndToEnd.Tools;

public sealed class PngDecoderTests
{
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);

    // Written by netpbm 11.1's "pnmtopng -force -paeth" from this plain PPM (so colour type 2, every row
    // filtered with Paeth):
    //   P3 3 2 255
    //   255 0 0   0 255 0    0 0 255
    //   1 2 3     250 128 7  9 9 9
    private static readonly byte[] s_rgbPaeth =
    [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x12, 0x16, 0xf1,
        0x4d, 0x00, 0x00, 0x00, 0x1c, 0x49, 0x44, 0x41, 0x54, 0x08, 0x99, 0x63, 0xf9, 0xcf, 0xc0, 0xc0,
        0xf8, 0x9f, 0x81, 0x81, 0xf1, 0x3f, 0x0b, 0x13, 0x13, 0xf3, 0xaf, 0x46, 0x16, 0x7e, 0x4e, 0x2e,
        0x00, 0x36, 0x6c, 0x04, 0xb0, 0xfc, 0x50, 0x39, 0x40, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
        0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    // Written by "pnmtopng -force -alpha=A.pgm" from the PPM above and the alpha map "P2 3 2 255 / 0 128 1 /
    // 200 255 3" (so colour type 6; netpbm chose the filter per row).
    private static readonly byte[] s_rgbaAdaptive =
    [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00, 0x9d, 0x74, 0x66,
        0x1a, 0x00, 0x00, 0x00, 0x22, 0x49, 0x44, 0x41, 0x54, 0x08, 0x99, 0x63, 0xf8, 0xcf, 0xc0, 0xc0,
        0xc0, 0xf0, 0x9f, 0xa1, 0x81, 0x81, 0xe1, 0x3f, 0x23, 0x03, 0x23, 0x13, 0xf3, 0x89, 0x5f, 0x0d,
        0xec, 0xff, 0x39, 0x39, 0x39, 0x99, 0x01, 0x5c, 0xfd, 0x06, 0xeb, 0xa4, 0xb2, 0x2f, 0x5b, 0x00,
        0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    private static readonly ImageRgb s_smallExpected = new(3, 2, [0xFF0000, 0x00FF00, 0x0000FF, 0x010203, 0xFA8007, 0x090909]);

    [Fact]
    public void Decode_NetpbmRgbPaethVector_GivesPixels()
    {
        ImageAssert.Equal(s_smallExpected, PngDecoder.Decode(s_rgbPaeth));
    }

    [Fact]
    public void Decode_NetpbmRgbaVector_DropsAlphaAndGivesPixels()
    {
        ImageAssert.Equal(s_smallExpected, PngDecoder.Decode(s_rgbaAdaptive));
    }

    [Fact]
    public void Decode_CorruptedImageData_ThrowsCrcMismatch()
    {
        var png = (byte[])s_rgbPaeth.Clone();
        png[45] ^= 0x01; // a byte inside IDAT's data
        var error = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png));
        Assert.Contains("'IDAT'", error.Message, StringComparison.Ordinal);
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NotPng_ThrowsSignatureError()
    {
        var error = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode("GIF89a not a png"u8));
        Assert.Contains("signature", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-nofilter")]
    [InlineData("-sub")]
    [InlineData("-up")]
    [InlineData("-avg")]
    [InlineData("-paeth")]
    public async Task Decode_NetpbmRgbWithFilter_GivesThePixelsWritten(string filterOption)
    {
        var expected = Noise(37, 23, seed: 1);
        var png = await PnmToPngAsync(Ppm(expected), ["-force", filterOption]);
        AssertFilterUsed(png, filterOption);
        ImageAssert.Equal(expected, PngDecoder.Decode(png));
    }

    [Fact]
    public async Task Decode_NetpbmRgbaFromAlphaMap_DropsAlpha()
    {
        var expected = Noise(19, 11, seed: 2);
        var alpha = Noise(19, 11, seed: 3);
        var png = await PnmToPngAsync(Ppm(expected), ["-force", "-paeth", "-alpha=" + "{alpha}"], Pgm(alpha));
        Assert.Equal(6, png[25]); // IHDR colour type
        ImageAssert.Equal(expected, PngDecoder.Decode(png));
    }

    [Fact]
    public async Task Decode_NetpbmGrey_ReplicatesGreyIntoRgb()
    {
        var grey = Noise(17, 9, seed: 4);
        var png = await PnmToPngAsync(Pgm(grey), ["-force", "-avg"]);
        Assert.Equal(0, png[25]);
        Assert.Equal(8, png[24]);
        var expected = ImageRgb.Create(17, 9, (x, y) => (grey[x, y] & 0xFF) * 0x010101u);
        ImageAssert.Equal(expected, PngDecoder.Decode(png));
    }

    [Fact]
    public async Task Decode_NetpbmGreyWithAlpha_ReplicatesGreyIntoRgb()
    {
        var grey = Noise(9, 5, seed: 5);
        var png = await PnmToPngAsync(Pgm(grey), ["-force", "-sub", "-alpha=" + "{alpha}"], Pgm(Noise(9, 5, seed: 6)));
        Assert.Equal(4, png[25]);
        var expected = ImageRgb.Create(9, 5, (x, y) => (grey[x, y] & 0xFF) * 0x010101u);
        ImageAssert.Equal(expected, PngDecoder.Decode(png));
    }

    [Fact]
    public async Task Decode_Interlaced_ThrowsNotSupported()
    {
        var png = await PnmToPngAsync(Ppm(Noise(8, 8, seed: 7)), ["-force", "-interlace"]);
        var error = Assert.Throws<NotSupportedException>(() => PngDecoder.Decode(png));
        Assert.Contains("Interlaced", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_SixteenBitDepth_ThrowsNotSupported()
    {
        var ppm = Encoding.ASCII.GetBytes("P3\n2 1\n65535\n65535 0 1000  3 4 5\n");
        var png = await PnmToPngAsync(ppm, ["-force"]);
        var error = Assert.Throws<NotSupportedException>(() => PngDecoder.Decode(png));
        Assert.Contains("bit depth 16", error.Message, StringComparison.Ordinal);
    }

    // Pseudo-random pixels (a fixed seed), so that neighbouring bytes differ and every filter's arithmetic,
    // including the wrap-around of byte sums and each Paeth branch, gets used.
    private static ImageRgb Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        return ImageRgb.Create(width, height, (_, _) => (uint)random.Next(0x1000000));
    }

    private static byte[] Ppm(ImageRgb image)
    {
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P6\n{image.Width} {image.Height}\n255\n"));
        var body = new byte[image.Pixels.Length * 3];
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            body[3 * i] = (byte)(image.Pixels[i] >> 16);
            body[(3 * i) + 1] = (byte)(image.Pixels[i] >> 8);
            body[(3 * i) + 2] = (byte)image.Pixels[i];
        }

        return [.. header, .. body];
    }

    // The grey map is the blue byte of each pixel.
    private static byte[] Pgm(ImageRgb image)
    {
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P5\n{image.Width} {image.Height}\n255\n"));
        return [.. header, .. image.Pixels.Select(p => (byte)p)];
    }

    private static void AssertFilterUsed(byte[] png, string filterOption)
    {
        // netpbm applies the one filter asked for to every row; check the first row's filter byte after inflating.
        var expectedType = filterOption switch { "-nofilter" => 0, "-sub" => 1, "-up" => 2, "-avg" => 3, _ => 4 };
        var idatLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        Assert.Equal("IDAT"u8.ToArray(), png[37..41]);
        using var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(png, 41, idatLength), System.IO.Compression.CompressionMode.Decompress);
        Assert.Equal(expectedType, zlib.ReadByte());
    }

    // Runs "pnmtopng OPTIONS input" in a temporary folder; "{alpha}" in an option becomes the path of alphaMap.
    private static async Task<byte[]> PnmToPngAsync(byte[] input, string[] options, byte[]? alphaMap = null)
    {
        var pnmtopng = RequiredTool.Locate("pnmtopng", "netpbm");
        var directory = Directory.CreateTempSubdirectory("png-vectors-");
        try
        {
            var inputPath = Path.Combine(directory.FullName, "input.pnm");
            var alphaPath = Path.Combine(directory.FullName, "alpha.pgm");
            File.WriteAllBytes(inputPath, input);
            if (alphaMap is not null)
            {
                File.WriteAllBytes(alphaPath, alphaMap);
            }

            var arguments = options.Select(o => o.Replace("{alpha}", alphaPath, StringComparison.Ordinal)).Append(inputPath);
            var result = await ToolProcess.RunAsync(pnmtopng, arguments, s_toolTimeout, null, TestContext.Current.CancellationToken);
            Assert.True(result.ExitCode == 0, result.Describe());
            return result.StandardOutput;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
