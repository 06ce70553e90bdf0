using System.Globalization;
using System.Text;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// A two-colour X bitmap (XBM) that <c>xsetroot -bitmap FILE -fg FG -bg BG</c> tiles over a root window from
/// its top-left corner. It gives end-to-end tests a known, asymmetric picture whose expected pixels follow from
/// the bitmap alone. XBM rows are padded to whole bytes; bit i (least significant first) of a row's byte k is
/// the pixel at x = 8k + i; a set bit shows the foreground colour.
/// </summary>
internal sealed class XbmPattern
{
    private readonly bool[,] _bits;

    public XbmPattern(int width, int height, Func<int, int, bool> isForeground)
    {
        Width = width;
        Height = height;
        _bits = new bool[width, height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                _bits[x, y] = isForeground(x, y);
            }
        }
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>An irregular pattern with no symmetry, so that flips, offsets and stride errors all show.</summary>
    public static XbmPattern Asymmetric { get; } = new(13, 7, (x, y) => (x * 5 + y * 3 + (x * y)) % 7 < 3 || (x == 0 && y == 0));

    /// <summary>The XBM source text.</summary>
    public string ToXbm()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"#define pattern_width {Width}\n#define pattern_height {Height}\nstatic unsigned char pattern_bits[] = {{\n");
        var bytesPerRow = (Width + 7) / 8;
        var values = new List<string>();
        for (var y = 0; y < Height; y++)
        {
            for (var k = 0; k < bytesPerRow; k++)
            {
                var value = 0;
                for (var i = 0; i < 8 && (8 * k) + i < Width; i++)
                {
                    if (_bits[(8 * k) + i, y])
                    {
                        value |= 1 << i;
                    }
                }

                values.Add(string.Create(CultureInfo.InvariantCulture, $"0x{value:x2}"));
            }
        }

        text.Append("   ").Append(string.Join(", ", values)).Append(" };\n");
        return text.ToString();
    }

    /// <summary>Writes the XBM into <paramref name="directory"/> and returns the file's path.</summary>
    public string WriteTo(string directory)
    {
        var path = Path.Combine(directory, "pattern.xbm");
        File.WriteAllText(path, ToXbm(), Encoding.ASCII);
        return path;
    }

    /// <summary>The expected picture: the bitmap tiled over <paramref name="width"/> × <paramref name="height"/>.</summary>
    public ImageRgb Tile(int width, int height, uint foreground, uint background)
        => ImageRgb.Create(width, height, (x, y) => _bits[x % Width, y % Height] ? foreground : background);
}
