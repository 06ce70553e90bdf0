namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>Image assertions whose failure messages say which pixels differ.</summary>
internal static class ImageAssert
{
    /// <summary>Fails unless <paramref name="actual"/> has the size and pixels of <paramref name="expected"/>.</summary>
    public static void Equal(ImageRgb expected, ImageRgb actual, string? context = null)
    {
        if (actual.DescribeDifferences(expected) is { } differences)
        {
            Assert.Fail(context is null ? differences : $"{context}: {differences}");
        }
    }

    /// <summary>Fails unless every pixel of <paramref name="actual"/> is <paramref name="rgb"/> (0x00RRGGBB).</summary>
    public static void Solid(uint rgb, ImageRgb actual, string? context = null)
        => Equal(ImageRgb.Solid(actual.Width, actual.Height, rgb), actual, context);
}
