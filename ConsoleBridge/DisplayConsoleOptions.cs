using ConsoleBridge.Damage;
using Microsoft.Extensions.Logging;

namespace ConsoleBridge;

/// <summary>Settings of one <see cref="DisplayConsole"/>.</summary>
public sealed class DisplayConsoleOptions
{
    /// <summary>Refresh interval while the screen keeps changing. Default 15 ms (about 66 Hz).</summary>
    public TimeSpan MinRefreshInterval { get; set; } = TimeSpan.FromMilliseconds(15);

    /// <summary>
    /// Longest refresh interval, reached by doubling while invalidations bring no change.
    /// Default 500 ms. A client that is waiting for an update cuts the wait short.
    /// </summary>
    public TimeSpan MaxRefreshInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Whether the console runs its own refresh thread. When false, the owner calls
    /// <see cref="DisplayConsole.Refresh"/> (tests, or an emulator that refreshes from its main loop).
    /// </summary>
    public bool AutoRefresh { get; set; } = true;

    /// <summary>
    /// Whether a refresh looks for content the guest scrolled by redrawing it (a terminal's jump
    /// scroll, a text console, a page) and sends it as a move (CopyRect) instead of pixels. Only
    /// vertical moves of whole rows of the damaged area, on XRGB8888 and ARGB8888 surfaces, and
    /// not in a frame for which the emulator reported a blit itself. Default true; see
    /// docs/architecture.md ("Scrolls found in redrawn frames") for what it costs and gains.
    /// </summary>
    public bool DetectScrolls { get; set; } = true;

    /// <summary>Damage tile side in pixels (default 64).</summary>
    public int TileSize { get; set; } = TileGrid.DefaultTileSize;

    /// <summary>Where the console reports failures of its own thread (a throwing event handler). Optional.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Size of the black placeholder shown before the first surface switch.</summary>
    public int InitialWidth { get; set; } = 640;

    /// <inheritdoc cref="InitialWidth"/>
    public int InitialHeight { get; set; } = 480;
}
