using Rfb.Encodings;

namespace EncoderBench;

/// <summary>An encoding with the client settings it is measured at, as named on the command line.</summary>
internal sealed record EncoderConfig(string Name, int Encoding, EncodeSettings Settings)
{
    public static readonly EncoderConfig[] All =
    [
        new("raw", EncodingType.Raw, new EncodeSettings()),
        new("zlib-c2", EncodingType.Zlib, new EncodeSettings { CompressLevel = 2 }),
        new("hextile", EncodingType.Hextile, new EncodeSettings()),
        new("zrle-c2", EncodingType.Zrle, new EncodeSettings { CompressLevel = 2 }),
        new("tight-q8-c2", EncodingType.Tight, new EncodeSettings { CompressLevel = 2, QualityLevel = 8 }),
        new("tight-lossless-c2", EncodingType.Tight, new EncodeSettings { CompressLevel = 2 }),
        new("tightpng-q8", EncodingType.TightPng, new EncodeSettings { CompressLevel = 2, QualityLevel = 8 }),
    ];

    /// <summary>The configurations whose encoders the server has.</summary>
    public static IEnumerable<EncoderConfig> Available => All.Where(c => Rfb.Sessions.EncoderCatalog.IsSupported(c.Encoding));

    /// <summary>A configuration of <see cref="All"/>, or another compress level or quality of one: zrle-c4, zlib-c6, tight-q5-c3, tight-lossless-c9.</summary>
    public static EncoderConfig Find(string name)
    {
        EncoderConfig? known = All.FirstOrDefault(c => c.Name == name);
        if (known is not null)
        {
            return known;
        }

        System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(name, "^(zrle|zlib|tight)-(?:(lossless|q([0-9]))-)?c([0-9])$");
        if (m.Success && (m.Groups[1].Value == "tight") == m.Groups[2].Success)
        {
            int encoding = m.Groups[1].Value switch { "zrle" => EncodingType.Zrle, "zlib" => EncodingType.Zlib, _ => EncodingType.Tight };
            int quality = m.Groups[3].Success ? m.Groups[3].Value[0] - '0' : -1;
            return new EncoderConfig(name, encoding, new EncodeSettings { CompressLevel = m.Groups[4].Value[0] - '0', QualityLevel = quality });
        }

        throw new ArgumentException($"unknown encoder configuration '{name}'; known: {string.Join(", ", All.Select(c => c.Name))}, and the same with another compress level (zrle-c4) or quality (tight-q5-c2)");
    }

    public override string ToString() => Name;
}
