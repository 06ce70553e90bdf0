using System.Runtime.CompilerServices;

namespace ConsoleBridge.Damage;

/// <summary>
/// A head's damage as a grid of square tiles, each stamped with the generation of the refresh
/// that last changed it. A reader remembers the generation it has seen and asks which tiles
/// are newer, so no reader keeps its own copy of pixels or its own dirty map between updates.
/// Written only under the console's write lock; read under its read lock.
/// </summary>
public sealed class TileGrid
{
    /// <summary>Tile side in pixels. 64 matches ZRLE's tile and QEMU's damage granularity order.</summary>
    public const int DefaultTileSize = 64;

    private readonly long[] _generations;

    public TileGrid(int width, int height, int tileSize = DefaultTileSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 8);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        TileSize = tileSize;
        Columns = (width + tileSize - 1) / tileSize;
        Rows = (height + tileSize - 1) / tileSize;
        _generations = new long[Columns * Rows];
    }

    public int Width { get; }

    public int Height { get; }

    public int TileSize { get; }

    public int Columns { get; }

    public int Rows { get; }

    public int TileCount => _generations.Length;

    /// <summary>The newest generation stamped on any tile (0 before the first change).</summary>
    public long Generation { get; private set; }

    /// <summary>The generation of tile (<paramref name="column"/>, <paramref name="row"/>).</summary>
    public long TileGeneration(int column, int row) => _generations[row * Columns + column];

    /// <summary>The generation of the tile at <paramref name="index"/> (row-major).</summary>
    public long TileGeneration(int index) => _generations[index];

    /// <summary>The pixels a tile covers, clipped to the grid.</summary>
    public PixelRect TileBounds(int index)
    {
        int column = index % Columns;
        int row = index / Columns;
        int x = column * TileSize;
        int y = row * TileSize;
        return new PixelRect(x, y, Math.Min(TileSize, Width - x), Math.Min(TileSize, Height - y));
    }

    /// <summary>Starts a new generation; tiles changed by this refresh are stamped with it.</summary>
    internal long NextGeneration() => ++Generation;

    /// <summary>Continues the generation count of a previous grid, so readers' counters stay valid.</summary>
    internal void SetGenerationFloor(long generation) => Generation = Math.Max(Generation, generation);

    internal void Stamp(int index, long generation) => _generations[index] = generation;

    /// <summary>Stamps every tile the rectangle touches with <paramref name="generation"/>.</summary>
    internal void Stamp(PixelRect rect, long generation)
    {
        if (!TryGetTileRange(rect, out int c0, out int c1, out int r0, out int r1))
        {
            return;
        }

        for (int r = r0; r <= r1; r++)
        {
            _generations.AsSpan(r * Columns + c0, c1 - c0 + 1).Fill(generation);
        }
    }

    /// <summary>The newest generation of the tiles a rectangle touches.</summary>
    public long NewestGeneration(PixelRect rect)
    {
        long newest = 0;
        if (!TryGetTileRange(rect, out int c0, out int c1, out int r0, out int r1))
        {
            return newest;
        }

        for (int r = r0; r <= r1; r++)
        {
            foreach (long g in _generations.AsSpan(r * Columns + c0, c1 - c0 + 1))
            {
                newest = Math.Max(newest, g);
            }
        }

        return newest;
    }

    /// <summary>Sets <paramref name="dirty"/>[i] for every tile changed after <paramref name="since"/> (others are left as they are).</summary>
    public void AccumulateChangedSince(long since, Span<bool> dirty)
    {
        if (dirty.Length < _generations.Length)
        {
            throw new ArgumentException("The dirty map is smaller than the grid.", nameof(dirty));
        }

        if (since >= Generation)
        {
            return;
        }

        ReadOnlySpan<long> g = _generations;
        for (int i = 0; i < g.Length; i++)
        {
            if (g[i] > since)
            {
                dirty[i] = true;
            }
        }
    }

    /// <summary>Sets the tiles a rectangle touches in <paramref name="map"/>.</summary>
    public void MarkTiles(PixelRect rect, Span<bool> map)
    {
        if (!TryGetTileRange(rect, out int c0, out int c1, out int r0, out int r1))
        {
            return;
        }

        for (int r = r0; r <= r1; r++)
        {
            map.Slice(r * Columns + c0, c1 - c0 + 1).Fill(true);
        }
    }

    /// <summary>
    /// Turns a map of tiles into few rectangles: runs of adjacent tiles in a tile row become one
    /// rectangle, and runs with the same columns in consecutive rows are joined. The result is
    /// clipped to the grid and ordered in raster order (by top, then left).
    /// </summary>
    public void MergeTiles(ReadOnlySpan<bool> tiles, List<PixelRect> output)
    {
        // Open runs from the previous tile row: (c0, c1, index in output).
        Span<(int C0, int C1, int Index)> open = Columns <= 128 ? stackalloc (int, int, int)[Columns] : new (int, int, int)[Columns];
        Span<(int C0, int C1, int Index)> next = Columns <= 128 ? stackalloc (int, int, int)[Columns] : new (int, int, int)[Columns];
        int openCount = 0;
        for (int r = 0; r < Rows; r++)
        {
            int nextCount = 0;
            int c = 0;
            ReadOnlySpan<bool> row = tiles.Slice(r * Columns, Columns);
            while (c < Columns)
            {
                if (!row[c])
                {
                    c++;
                    continue;
                }

                int c0 = c;
                while (c < Columns && row[c])
                {
                    c++;
                }

                int c1 = c; // exclusive
                int joined = -1;
                for (int k = 0; k < openCount; k++)
                {
                    if (open[k].C0 == c0 && open[k].C1 == c1)
                    {
                        joined = open[k].Index;
                        break;
                    }
                }

                int y = r * TileSize;
                int bottom = Math.Min(Height, y + TileSize);
                if (joined >= 0)
                {
                    PixelRect prev = output[joined];
                    output[joined] = prev with { Height = bottom - prev.Y };
                    next[nextCount++] = (c0, c1, joined);
                }
                else
                {
                    int x = c0 * TileSize;
                    int right = Math.Min(Width, c1 * TileSize);
                    output.Add(new PixelRect(x, y, right - x, bottom - y));
                    next[nextCount++] = (c0, c1, output.Count - 1);
                }
            }

            next[..nextCount].CopyTo(open);
            openCount = nextCount;
        }

        // Rectangles were appended by their top row, and within a row by column: raster order already.
    }

    /// <summary>The columns and rows (inclusive) of the tiles a rectangle touches, clipped to the grid; false when it touches none.</summary>
    public bool TryGetTileRange(PixelRect rect, out int c0, out int c1, out int r0, out int r1)
    {
        rect = rect.Intersect(new PixelRect(0, 0, Width, Height));
        if (rect.IsEmpty)
        {
            c0 = c1 = r0 = r1 = 0;
            return false;
        }

        c0 = rect.X / TileSize;
        c1 = (rect.Right - 1) / TileSize;
        r0 = rect.Y / TileSize;
        r1 = (rect.Bottom - 1) / TileSize;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int TileIndexOf(int x, int y) => (y / TileSize) * Columns + (x / TileSize);
}
