namespace Rfb.Encodings.Analysis;

/// <summary>Finds out whether a rectangle holds one colour, row by row with the BCL's vectorised search.</summary>
internal static class SolidDetector
{
    /// <summary>
    /// True when every pixel of <paramref name="view"/> equals its top-left pixel, which is
    /// returned in <paramref name="colour"/>. Stops at the first row that differs.
    /// </summary>
    public static bool IsSolid(PixelView view, out uint colour)
    {
        if (view.IsEmpty)
        {
            colour = 0;
            return false;
        }

        colour = view.Row(0)[0];
        for (int y = 0; y < view.Height; y++)
        {
            if (view.Row(y).IndexOfAnyExcept(colour) >= 0)
            {
                return false;
            }
        }

        return true;
    }
}
