namespace ConsoleBridge;

/// <summary>The top-left corner of a head in desktop pixels.</summary>
public readonly record struct DesktopPosition(int X, int Y);
