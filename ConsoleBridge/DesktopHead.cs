namespace ConsoleBridge;

/// <summary>
/// One head of a <see cref="Desktop"/>: a <see cref="DisplayConsole"/> with a screen id that stays
/// the same for as long as the head is part of the desktop, and optionally a position that the
/// host chose (otherwise the head is placed to the right of the one before it).
/// </summary>
public sealed class DesktopHead
{
    internal DesktopHead(Desktop desktop, int screenId, DisplayConsole console, DesktopPosition? position)
    {
        Desktop = desktop;
        ScreenId = screenId;
        Console = console;
        Position = position;
    }

    /// <summary>The desktop this head belongs (or belonged) to.</summary>
    public Desktop Desktop { get; }

    /// <summary>The screen id clients see for this head (1 or more, unique within the desktop).</summary>
    public int ScreenId { get; }

    /// <summary>The head's console.</summary>
    public DisplayConsole Console { get; }

    /// <summary>The position the host gave, or null when the head is laid out automatically.</summary>
    public DesktopPosition? Position { get; internal set; }

    /// <summary>Whether the head is still part of its desktop.</summary>
    public bool IsAttached { get; internal set; } = true;

    public override string ToString() => $"screen {ScreenId}";
}
