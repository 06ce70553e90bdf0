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

    public static EncoderConfig Find(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"unknown encoder configuration '{name}'; known: {string.Join(", ", All.Select(c => c.Name))}");

    public override string ToString() => Name;
}
