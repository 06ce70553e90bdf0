using Rfb.Encodings;

namespace Rfb.Sessions;

/// <summary>
/// The encodings this server can send, and how to make a session's instance of each. A
/// session takes the first encoding in the client's SetEncodings order that appears here, and Raw
/// when none does (every client must accept Raw).
/// </summary>
internal static class EncoderCatalog
{
    private static readonly Dictionary<int, Func<IRectangleEncoder>> s_factories = new()
    {
        [EncodingType.Raw] = static () => new RawRectangleEncoder(),
        [EncodingType.Tight] = static () => new Rfb.Encodings.Tight.TightEncoder(),
        [EncodingType.TightPng] = static () => new Rfb.Encodings.Tight.TightPngEncoder(),
        [EncodingType.Zrle] = static () => new Rfb.Encodings.Zrle.ZrleEncoder(),
        [EncodingType.Hextile] = static () => new Rfb.Encodings.Hextile.HextileEncoder(),
        [EncodingType.Zlib] = static () => new Rfb.Encodings.Zlib.ZlibEncoder(),
    };

    public static bool IsSupported(int encoding) => s_factories.ContainsKey(encoding);

    public static IRectangleEncoder Create(int encoding) => s_factories[encoding]();

    /// <summary>The client's preferred encoding among those supported, or Raw.</summary>
    public static int Choose(ReadOnlySpan<int> clientOrder)
    {
        foreach (int e in clientOrder)
        {
            if (s_factories.ContainsKey(e))
            {
                return e;
            }
        }

        return EncodingType.Raw;
    }
}
