namespace DemoEmulator.Guest;

/// <summary>
/// The guest's mouse pointer: an arrow 12 × 19 pixels, white with a black outline and a soft
/// half-transparent shadow, hotspot at its tip (0, 0). Built once as straight-alpha RGBA.
/// </summary>
internal static class PointerShape
{
    public const int Width = 12;
    public const int Height = 19;

    // '#' outline, '.' fill, 's' shadow (alpha 96), ' ' transparent.
    private static readonly string[] s_rows =
    [
        "#           ",
        "##          ",
        "#.#         ",
        "#..#        ",
        "#...#       ",
        "#....#      ",
        "#.....#     ",
        "#......#    ",
        "#.......#   ",
        "#........#  ",
        "#.........# ",
        "#......#####",
        "#...#..#s   ",
        "#..##..#s   ",
        "#.#s #..#   ",
        "##s  #..#s  ",
        "#s    #..#  ",
        "      #..#s ",
        "       ##s  ",
    ];

    /// <summary>The arrow as R, G, B, A bytes, rows without padding.</summary>
    public static byte[] CreateRgba()
    {
        var rgba = new byte[Width * Height * 4];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                (byte v, byte a) = s_rows[y][x] switch
                {
                    '#' => ((byte)0, (byte)255),
                    '.' => ((byte)255, (byte)255),
                    's' => ((byte)0, (byte)96),
                    _ => ((byte)0, (byte)0),
                };
                int i = (y * Width + x) * 4;
                rgba[i] = rgba[i + 1] = rgba[i + 2] = v;
                rgba[i + 3] = a;
            }
        }

        return rgba;
    }
}
