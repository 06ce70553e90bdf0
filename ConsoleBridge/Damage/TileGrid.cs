using System.Runtime.CompilerServices;

namespace ConsoleBridge.Damage;

/// <summary>
/// A head's damage as a grid of square tiles, each stamped with the generation of the refresh
/// that last changed it. A reader remembers the generation it has seen and asks which tiles
/// are newer, so no reader keeps its own copy of pixels or its own dirty map between updates.
/// Each tile also keeps its last <see cref="HistoryDepth"/> changes (generation and the bounds of
/// the pixels each touched), so a reader that missed only those needs only the union of their
/// bounds (<see cref="OwedSince(int, long)"/>), not the whole tile.
/// Written only under the console's write lock; read under its read lock.
/// </summary>
public sealed class TileGrid
{
    /// <summary>Tile side in pixels. 64 matches ZRLE's tile and QEMU's damage granularity order.</summary>
    public const int DefaultTileSize = 64;

    /// <summary>
    /// Changes kept per tile. A terminal scrolled at full speed stamps a tile two or three times
    /// a frame (blits, then the new line), and a client one frame behind must still be told which
    /// pixels each stamp touched; a deeper history costs 24 bytes per tile and entry.
    /// </summary>
    public const int HistoryDepth = 6;

    private readonly long[] _generations;

    // Per tile, HistoryDepth entries from the newest: the generation of a change and its bounds.
    private readonly long[] _historyGenerations;
    private readonly PixelRect[] _historyBounds;
    private readonly byte[] _historyCount;

    // Per tile, the generation it had before its oldest kept change (0: no change was dropped).
    private readonly long[] _floor;

    /// <summary>Scratch of the refresh in progress: per tile, the bounds of the pixels found different so far.</summary>
    private readonly PixelRect[] _pending;

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
        _historyGenerations = new long[Columns * Rows * HistoryDepth];
        _historyBounds = new PixelRect[Columns * Rows * HistoryDepth];
        _historyCount = new byte[Columns * Rows];
        _floor = new long[Columns * Rows];
        _pending = new PixelRect[Columns * Rows];
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

    /// <summary>The generation tile <paramref name="index"/> had before its latest change (0 before its first).</summary>
    public long PreviousGeneration(int index) => _historyCount[index] >= 2 ? _historyGenerations[index * HistoryDepth + 1] : _floor[index];

    /// <summary>
    /// The bounds, in head coordinates, of the pixels that tile <paramref name="index"/>'s latest
    /// change touched: only those differ from the tile at <see cref="PreviousGeneration(int)"/>.
    /// Changes that were compared pixel by pixel give the differing rows and columns; blits give
    /// their destination within the tile; surface switches and resizes give the whole tile.
    /// </summary>
    public PixelRect ChangeBounds(int index) => _historyCount[index] > 0 ? _historyBounds[index * HistoryDepth] : default;

    /// <summary>
    /// What a reader that holds tile <paramref name="index"/> as it was at generation
    /// <paramref name="held"/> must be sent: nothing when the tile has not changed since, the
    /// union of the bounds of the changes it missed when the tile still keeps them all, the whole
    /// tile otherwise (and for a negative, unknown, <paramref name="held"/>).
    /// </summary>
    public PixelRect OwedSince(int index, long held)
    {
        if (held >= 0 && _generations[index] <= held)
        {
            return default;
        }

        return held < 0 ? TileBounds(index) : ChangedBetween(index, held, long.MaxValue);
    }

    /// <summary>
    /// The bounds of the pixels of tile <paramref name="index"/> that changes with a generation
    /// after <paramref name="after"/> and before <paramref name="before"/> touched (empty: none),
    /// or the whole tile when the tile no longer keeps every change after
    /// <paramref name="after"/>. A reader that holds the tile as of <paramref name="after"/> sees
    /// it as of <c>before - 1</c> once these pixels are replaced.
    /// </summary>
    public PixelRect ChangedBetween(int index, long after, long before)
    {
        if (after < 0)
        {
            return TileBounds(index);
        }

        int count = _historyCount[index];
        int at = index * HistoryDepth;
        PixelRect bounds = default;
        for (int k = 0; k < count; k++)
        {
            long g = _historyGenerations[at + k];
            if (g <= after)
            {
                return bounds;
            }

            if (g < before)
            {
                bounds = bounds.Union(_historyBounds[at + k]);
            }
        }

        return _floor[index] <= after ? bounds : TileBounds(index);
    }

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

    /// <summary>Stamps a tile whose pixels may all have changed.</summary>
    internal void Stamp(int index, long generation) => Stamp(index, generation, TileBounds(index));

    /// <summary>
    /// Stamps a tile whose change lies inside <paramref name="bounds"/> (head coordinates, inside
    /// the tile). A second stamp with the same generation widens that generation's bounds.
    /// </summary>
    internal void Stamp(int index, long generation, PixelRect bounds)
    {
        int at = index * HistoryDepth;
        int count = _historyCount[index];
        if (count > 0 && _generations[index] == generation)
        {
            _historyBounds[at] = _historyBounds[at].Union(bounds);
            return;
        }

        if (count == HistoryDepth)
        {
            _floor[index] = _historyGenerations[at + HistoryDepth - 1];
            count--;
        }

        _historyGenerations.AsSpan(at, count).CopyTo(_historyGenerations.AsSpan(at + 1, count));
        _historyBounds.AsSpan(at, count).CopyTo(_historyBounds.AsSpan(at + 1, count));
        _historyGenerations[at] = generation;
        _historyBounds[at] = bounds;
        _historyCount[index] = (byte)(count + 1);
        _generations[index] = generation;
    }

    /// <summary>
    /// Stamps every tile the rectangle touches with <paramref name="generation"/>; within each
    /// tile the change is bounded by the rectangle.
    /// </summary>
    internal void Stamp(PixelRect rect, long generation)
    {
        rect = rect.Intersect(new PixelRect(0, 0, Width, Height));
        if (!TryGetTileRange(rect, out int c0, out int c1, out int r0, out int r1))
        {
            return;
        }

        for (int r = r0; r <= r1; r++)
        {
            for (int c = c0; c <= c1; c++)
            {
                int index = r * Columns + c;
                Stamp(index, generation, TileBounds(index).Intersect(rect));
            }
        }
    }

    /// <summary>
    /// Notes, during a refresh, that the pixels of one row from <paramref name="x0"/> to
    /// <paramref name="x1"/> (exclusive) in tile <paramref name="index"/> differed.
    /// <paramref name="first"/> says whether this is the first difference found in the tile
    /// in this refresh. Each tile is written by one thread only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void NoteDifference(int index, bool first, int x0, int x1, int y)
    {
        ref PixelRect box = ref _pending[index];
        if (first)
        {
            box = new PixelRect(x0, y, x1 - x0, 1);
            return;
        }

        int left = Math.Min(box.X, x0);
        int top = Math.Min(box.Y, y);
        int right = Math.Max(box.Right, x1);
        int bottom = Math.Max(box.Bottom, y + 1);
        box = new PixelRect(left, top, right - left, bottom - top);
    }

    /// <summary>Stamps a tile with what <see cref="NoteDifference"/> found in it during this refresh.</summary>
    internal void StampNoted(int index, long generation) => Stamp(index, generation, _pending[index]);

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

    /// <summary>
    /// Adds to <paramref name="owed"/>[i] what a reader that has seen generation
    /// <paramref name="since"/> is owed for every tile changed after it (see
    /// <see cref="OwedSince(int, long)"/>). An entry already set stays owed: the result is the
    /// bounding box of both.
    /// </summary>
    public void AccumulateChangesSince(long since, Span<PixelRect> owed)
    {
        if (owed.Length < _generations.Length)
        {
            throw new ArgumentException("The owed map is smaller than the grid.", nameof(owed));
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
                owed[i] = owed[i].Union(OwedSince(i, since));
            }
        }
    }

    /// <summary>Sets every tile a rectangle touches to the whole tile in <paramref name="map"/>.</summary>
    public void MarkTiles(PixelRect rect, Span<PixelRect> map)
    {
        if (!TryGetTileRange(rect, out int c0, out int c1, out int r0, out int r1))
        {
            return;
        }

        for (int r = r0; r <= r1; r++)
        {
            for (int c = c0; c <= c1; c++)
            {
                int index = r * Columns + c;
                map[index] = TileBounds(index);
            }
        }
    }

    /// <summary>Adds the part of a rectangle inside each tile it touches to that tile's entry in <paramref name="map"/>.</summary>
    public void AddArea(PixelRect rect, Span<PixelRect> map)
    {
        rect = rect.Intersect(new PixelRect(0, 0, Width, Height));
        if (!TryGetTileRange(rect, out int c0, out int c1, out int r0, out int r1))
        {
            return;
        }

        for (int r = r0; r <= r1; r++)
        {
            for (int c = c0; c <= c1; c++)
            {
                int index = r * Columns + c;
                map[index] = map[index].Union(TileBounds(index).Intersect(rect));
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

    /// <summary>
    /// Turns per-tile boxes (each inside its tile, in head coordinates; empty where nothing is to
    /// be sent) into few rectangles. The boxes of adjacent tiles in a tile row are joined while
    /// their bounding rectangle adds few pixels that are not in any box (see
    /// <see cref="WorthJoining"/>); a rectangle is then joined with one of the tile row above
    /// that spans the same columns, on the same condition. Whole tiles thus merge exactly as
    /// <see cref="MergeTiles"/> merges them. Rectangles never overlap, lie inside the grid and
    /// come in raster order (by top, then left).
    /// </summary>
    /// <param name="boxes">One box per tile, in the tile's own area; empty where nothing is to be sent.</param>
    /// <param name="output">Receives the rectangles.</param>
    /// <param name="acrossColumns">
    /// Also join a rectangle with one of the tile row above that spans other columns (overlapping
    /// its columns), when their bounding rectangle adds at most as many pixels as the two hold,
    /// overlaps no other rectangle and no box of this row not yet placed. For ZRLE, where every
    /// rectangle costs a header, a zlib flush and a new deflate block, and unchanged pixels
    /// between the boxes are mostly cheap to send again (see the session's use). Only while at
    /// most <see cref="MaxRectanglesJoinedAcrossColumns"/> rectangles have been placed.
    /// </param>
    public void MergeBoxes(ReadOnlySpan<PixelRect> boxes, List<PixelRect> output, bool acrossColumns = false)
    {
        if (boxes.Length < TileCount)
        {
            throw new ArgumentException("The box map is smaller than the grid.", nameof(boxes));
        }

        int start = output.Count;
        // Rectangles that reach into the previous tile row: (rectangle, pixels in boxes, index in output).
        Span<OpenRect> open = Columns <= 64 ? stackalloc OpenRect[Columns] : new OpenRect[Columns];
        Span<OpenRect> next = Columns <= 64 ? stackalloc OpenRect[Columns] : new OpenRect[Columns];
        Span<bool> taken = Columns <= 64 ? stackalloc bool[Columns] : new bool[Columns];
        int openCount = 0;
        bool sorted = true;
        for (int r = 0; r < Rows; r++)
        {
            int nextCount = 0;
            taken[..openCount].Clear();
            ReadOnlySpan<PixelRect> row = boxes.Slice(r * Columns, Columns);
            int c = 0;
            while (c < Columns)
            {
                if (row[c].IsEmpty)
                {
                    c++;
                    continue;
                }

                PixelRect run = row[c];
                long useful = run.Area;
                c++;
                while (c < Columns && !row[c].IsEmpty)
                {
                    PixelRect joinedRun = run.Union(row[c]);
                    long joinedUseful = useful + row[c].Area;
                    if (!WorthJoining(joinedRun.Area, joinedUseful))
                    {
                        break;
                    }

                    run = joinedRun;
                    useful = joinedUseful;
                    c++;
                }

                int joined = -1;
                for (int k = 0; k < openCount; k++)
                {
                    PixelRect above = open[k].Rect;
                    if (taken[k])
                    {
                        continue;
                    }

                    if (above.X == run.X && above.Width == run.Width && WorthJoining(above.Union(run).Area, open[k].Useful + useful))
                    {
                        joined = k;
                        break;
                    }

                    if (acrossColumns && above.X < run.Right && run.X < above.Right && JoinsAcrossColumns(open[k], run, useful, row, c, output, start))
                    {
                        joined = k;
                        sorted = false; // the joined rectangle may now start left of one before it
                        break;
                    }
                }

                if (joined >= 0)
                {
                    PixelRect both = open[joined].Rect.Union(run);
                    output[open[joined].Index] = both;
                    next[nextCount++] = new OpenRect(both, open[joined].Useful + useful, open[joined].Index);
                    taken[joined] = true;
                }
                else
                {
                    if (output.Count > start)
                    {
                        PixelRect last = output[^1];
                        sorted &= last.Y < run.Y || (last.Y == run.Y && last.X < run.X);
                    }

                    output.Add(run);
                    next[nextCount++] = new OpenRect(run, useful, output.Count - 1);
                }
            }

            next[..nextCount].CopyTo(open);
            openCount = nextCount;
        }

        if (!sorted)
        {
            output.Sort(start, output.Count - start, RasterOrder.Instance);
        }
    }

    /// <summary>
    /// Past this many rectangles in one call, rectangles are joined within the same columns only:
    /// each join across columns checks every rectangle placed so far, so a scattered damage
    /// (a checkerboard of boxes over a large head) would otherwise cost the square of its count.
    /// </summary>
    private const int MaxRectanglesJoinedAcrossColumns = 256;

    /// <summary>
    /// Whether <paramref name="run"/> (this tile row's, its boxes holding <paramref name="useful"/>
    /// pixels) may join <paramref name="above"/> though their columns differ: their bounding
    /// rectangle adds at most as many pixels as both hold, overlaps no rectangle placed so far
    /// but <paramref name="above"/>, and no box of this row from column <paramref name="next"/>
    /// on, which are not placed yet.
    /// </summary>
    private bool JoinsAcrossColumns(OpenRect above, PixelRect run, long useful, ReadOnlySpan<PixelRect> row, int next, List<PixelRect> output, int start)
    {
        PixelRect both = above.Rect.Union(run);
        if (both.Area - above.Useful - useful > above.Useful + useful || output.Count - start > MaxRectanglesJoinedAcrossColumns)
        {
            return false;
        }

        for (int i = start; i < output.Count; i++)
        {
            if (i != above.Index && output[i].IntersectsWith(both))
            {
                return false;
            }
        }

        int lastColumn = Math.Min(Columns - 1, (both.Right - 1) / TileSize);
        for (int c = next; c <= lastColumn; c++)
        {
            if (!row[c].IsEmpty)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether one rectangle of <paramref name="area"/> pixels should be sent instead of pieces
    /// holding <paramref name="useful"/> pixels: each rectangle costs the encoders a header and
    /// a restart (tens of bytes), each extra pixel a little, so up to two rows of a tile's width,
    /// or a quarter more, is worth it. (Measured with TraceBench on the recorded xterm and
    /// glxgears traces at ZRLE and Tight: fewer bytes in all than an eighth or a third in place
    /// of the quarter, or a quarter of a tile's pixels in place of the two rows.)
    /// </summary>
    private bool WorthJoining(long area, long useful) => area - useful <= Math.Max(2L * TileSize, useful / 4);

    private readonly record struct OpenRect(PixelRect Rect, long Useful, int Index);

    private sealed class RasterOrder : IComparer<PixelRect>
    {
        public static readonly RasterOrder Instance = new();

        public int Compare(PixelRect a, PixelRect b)
        {
            int c = a.Y.CompareTo(b.Y);
            return c != 0 ? c : a.X.CompareTo(b.X);
        }
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
