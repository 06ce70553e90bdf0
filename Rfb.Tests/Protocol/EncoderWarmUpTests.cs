using Rfb.Encodings;
using Rfb.Sessions;

namespace Rfb.Tests.Protocol;

/// <summary>The start-up warm-up really runs every encoding the sessions can choose.</summary>
public sealed class EncoderWarmUpTests
{
    [Fact]
    public void Run_EncodesWithEveryEncodingTheServerOffers()
    {
        Dictionary<int, long> bytes = EncoderWarmUp.Run();

        int[] offered = [EncodingType.Raw, EncodingType.Tight, EncodingType.TightPng, EncodingType.Zrle, EncodingType.Hextile, EncodingType.Zlib];
        Assert.All(offered, e => Assert.True(EncoderCatalog.IsSupported(e)));
        Assert.Equal(offered.Order(), bytes.Keys.Order());

        // Raw: the 320x192 frame's pixels, in three rectangles with 12-byte headers, at 4 and 2
        // bytes a pixel, lossless and at quality 8 (Raw ignores quality): 2 × (4 + 2) × 61440 + 4 × 36.
        Assert.Equal((2L * (4 + 2) * 320 * 192) + (4 * 3 * 12), bytes[EncodingType.Raw]);
        foreach (int e in offered.Where(e => e != EncodingType.Raw))
        {
            Assert.InRange(bytes[e], 1000, bytes[EncodingType.Raw] - 1);
        }
    }
}
