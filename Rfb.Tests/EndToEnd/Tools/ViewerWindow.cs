namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>A top-level X window as <c>xwininfo -root -tree</c> lists it: id, title and geometry.</summary>
internal sealed record ViewerWindow(string Id, string Title, int Width, int Height, int X, int Y);
