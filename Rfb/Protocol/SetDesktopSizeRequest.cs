namespace Rfb.Protocol;

/// <summary>A client's SetDesktopSize: the framebuffer size it asks for and its screens.</summary>
internal sealed record SetDesktopSizeRequest(int Width, int Height, ScreenLayoutEntry[] Screens);
