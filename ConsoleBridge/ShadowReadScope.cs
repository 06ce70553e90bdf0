using ConsoleBridge.Damage;

namespace ConsoleBridge;

/// <summary>
/// Read access to a console's shadow, holding its read lock until disposed. The pixels are
/// canonical XRGB8888 (top byte zero), row-major with a stride of <see cref="Width"/>.
/// </summary>
public readonly ref struct ShadowReadScope
{
    private readonly DisplayConsole _console;

    internal ShadowReadScope(DisplayConsole console)
    {
        _console = console;
    }

    public ReadOnlySpan<uint> Pixels => _console.ShadowPixels;

    public int Width => _console.TilesUnsynchronized.Width;

    public int Height => _console.TilesUnsynchronized.Height;

    /// <summary>The damage grid; its <see cref="TileGrid.Generation"/> is the state these pixels show.</summary>
    public TileGrid Tiles => _console.TilesUnsynchronized;

    /// <summary>Counts surface switches; a reader that sees it change must resend everything.</summary>
    public long SurfaceSerial => _console.SurfaceSerialUnsynchronized;

    /// <summary>The most recent blits, oldest first.</summary>
    public IReadOnlyList<ConsoleCopy> RecentCopies => _console.CopiesUnsynchronized;

    public void Dispose() => _console.ExitRead();
}
