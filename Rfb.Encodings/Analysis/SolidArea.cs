namespace Rfb.Encodings.Analysis;

/// <summary>A part of a rectangle found by <see cref="SolidAreaFinder"/>: a fill of <see cref="Colour"/>, or pixels to encode.</summary>
internal readonly record struct SolidArea(int X, int Y, int Width, int Height, bool IsFill, uint Colour);
