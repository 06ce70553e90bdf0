namespace Rfb.Encodings;

/// <summary>
/// One rectangle of a batch (<see cref="IRectangleEncoder.EncodeBatch"/>): where its pixels lie
/// in the surface (<see cref="SourceX"/>, <see cref="SourceY"/>, <see cref="Width"/>,
/// <see cref="Height"/>) and where its top-left goes in the framebuffer (<see cref="X"/>,
/// <see cref="Y"/>).
/// </summary>
public readonly record struct BatchRect(int SourceX, int SourceY, int Width, int Height, int X, int Y);
