using Rfb.Encodings;

namespace TraceBench;

/// <summary>The encodings the bench can ask for, by the names its command line uses.</summary>
internal static class EncodingNames
{
    private static readonly (string Name, int Encoding)[] s_names =
    [
        ("raw", EncodingType.Raw),
        ("hextile", EncodingType.Hextile),
        ("zlib", EncodingType.Zlib),
        ("tight", EncodingType.Tight),
        ("zrle", EncodingType.Zrle),
        ("tightpng", EncodingType.TightPng),
    ];

    /// <summary>Every name, for help and error messages.</summary>
    public static string All => string.Join("|", s_names.Select(n => n.Name));

    public static bool TryParse(string name, out int encoding)
    {
        foreach ((string n, int e) in s_names)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                encoding = e;
                return true;
            }
        }

        encoding = 0;
        return false;
    }

    public static string Name(int encoding)
    {
        foreach ((string n, int e) in s_names)
        {
            if (e == encoding)
            {
                return n;
            }
        }

        return encoding.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
