using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Rfb.Encodings.Analysis;

/// <summary>
/// Cuts a rectangle into solid areas, which an encoder sends as fills, and the areas left
/// between them, which it encodes as usual. TigerVNC's EncodeManager does the same before any
/// encoder runs; on the recorded traces it sends 20–82% of the pixels this way.
/// </summary>
/// <remarks>
/// <para>
/// The rectangle is read once as a map of <see cref="BlockSize"/>-pixel blocks (smaller at its
/// right and bottom edges): each block is solid in one colour or not, and a block stops being
/// read at its first pixel that differs from its top-left one. The largest rectangle of free
/// solid blocks of one colour is then taken from the map (the largest rectangle under a
/// histogram, row by row), again and again, until none of half the given minimum of pixels
/// (TigerVNC's minimum is 2048) is left or <see cref="MaxFills"/> were considered. Each taken
/// rectangle grows at once by whole pixel rows and columns on each side while they hold its
/// colour, without entering an earlier fill, and becomes a fill if it then has the minimum;
/// the blocks it touches are no longer free either way. What is left is cut where fills start
/// and end, each run of uncovered columns joined with the one above when it spans the same
/// columns. Everything comes out in raster order of the top-left corners.
/// </para>
/// <para>
/// A rectangle of at least twice <see cref="MinBandPixels"/> is searched as two bands, cut at
/// the block row nearest its middle, at once on two threads when more than one is given (each
/// band's map then read on its share of them). The search otherwise runs on the encoder's
/// calling thread while everything else of the call waits for it. No fill crosses the cut, and
/// the bands do not depend on the number of threads, so neither do the areas. EncoderBench
/// encperf --union, one thread, exact bytes against one band: video 19.25 → 18.76 MB at Tight
/// quality 8 and 25.75 → 25.74 lossless, glxgears 10.30 → 10.24, xterm_scroll 13.54 → 13.64,
/// xterm_scroll_paced 8.48 either way (each band takes its own largest areas first, and on the
/// video trace's colour bars those fit its diagonal band better).
/// </para>
/// <para>
/// TigerVNC instead grows one area from the first solid block in raster order, then searches
/// the parts left, right and below it again, as this class did before. On whole screens of the
/// video trace (colour bars crossed by a diagonal band; Tight at quality 8, each update's
/// rectangles merged, EncoderBench encperf --union) that search took 64% of the pixels as
/// fills and this one takes 70%, and the trace took 23.35 against 18.17 MB: the band below
/// each area spans the whole width, and its top rows cut the next areas short.
/// </para>
/// </remarks>
internal static class SolidAreaFinder
{
    /// <summary>The side of the blocks searched.</summary>
    public const int BlockSize = 16;

    /// <summary>Pixels a part of the block map needs before it is read on a thread of its own.</summary>
    public const int MinParallelMapPixels = 128 * 1024;

    /// <summary>Pixels each of the two bands of a large rectangle needs (see the remarks).</summary>
    public const int MinBandPixels = 256 * 1024;

    /// <summary>The most candidate areas one search considers (each costs one pass over the block map), so the most fills it finds.</summary>
    public const int MaxFills = 256;

    // Block states in the map.
    private const byte NotSolid = 0;
    private const byte Free = 1;
    private const byte Taken = 2;

    [ThreadStatic]
    private static Scratch? t_scratch;

    [ThreadStatic]
    private static List<SolidArea>? t_lower;

    /// <summary>
    /// Appends to <paramref name="areas"/> areas that cover <paramref name="view"/> exactly, without
    /// overlapping: fills (<see cref="SolidArea.IsFill"/>) and the areas between them, in raster
    /// order of their top-left corners; the same input gives the same areas. Coordinates are
    /// relative to the view. Solid areas smaller than <paramref name="minArea"/> pixels stay
    /// inside the areas to encode.
    /// </summary>
    public static void Split(PixelView view, int minArea, List<SolidArea> areas) => Split(view, minArea, areas, 1);

    /// <summary>
    /// As <see cref="Split(PixelView, int, List{SolidArea})"/>, searching the two bands of a
    /// large view and reading the block map on up to <paramref name="parallelism"/> threads (the
    /// calling thread among them); the areas are the same for any number.
    /// </summary>
    public static void Split(PixelView view, int minArea, List<SolidArea> areas, int parallelism) =>
        Split(view, minArea, areas, parallelism, bands: true);

    /// <summary>
    /// As <see cref="Split(PixelView, int, List{SolidArea}, int)"/>, with the two bands as a
    /// switch (<paramref name="bands"/>), for the benchmarks' baseline.
    /// </summary>
    internal static void Split(PixelView view, int minArea, List<SolidArea> areas, int parallelism, bool bands)
    {
        int blockRows = (view.Height + BlockSize - 1) / BlockSize;
        if (!bands || (long)view.Width * view.Height < 2L * MinBandPixels || blockRows < 2)
        {
            SplitBand(view, minArea, areas, parallelism);
            return;
        }

        int width = view.Width;
        int height = view.Height;
        int cut = blockRows / 2 * BlockSize;
        List<SolidArea> lower = t_lower ??= [];
        lower.Clear();
        if (parallelism < 2)
        {
            SplitBand(view.Slice(0, 0, width, cut), minArea, areas, 1);
            SplitBand(view.Slice(0, cut, width, height - cut), minArea, lower, 1);
        }
        else
        {
            int stride = view.Stride;
            int length = ((height - 1) * stride) + width;
            int upperThreads = parallelism - (parallelism / 2);
            unsafe
            {
                fixed (uint* first = &MemoryMarshal.GetReference(view.Row(0)))
                {
                    nint pixels = (nint)first;
                    Parallel.Invoke(
                        new ParallelOptions { MaxDegreeOfParallelism = 2 },
                        () => SplitBand(new PixelView(new ReadOnlySpan<uint>((uint*)pixels, length), stride, width, height).Slice(0, 0, width, cut), minArea, areas, upperThreads),
                        () => SplitBand(new PixelView(new ReadOnlySpan<uint>((uint*)pixels, length), stride, width, height).Slice(0, cut, width, height - cut), minArea, lower, parallelism / 2));
                }
            }
        }

        foreach (SolidArea a in lower)
        {
            areas.Add(a with { Y = a.Y + cut });
        }
    }

    private static void SplitBand(PixelView view, int minArea, List<SolidArea> areas, int parallelism)
    {
        int width = view.Width;
        int height = view.Height;
        if (width == 0 || height == 0)
        {
            return;
        }

        if ((long)width * height < minArea)
        {
            areas.Add(new SolidArea(0, 0, width, height, false, 0));
            return;
        }

        Scratch scratch = t_scratch ??= new Scratch();
        int columns = (width + BlockSize - 1) / BlockSize;
        int rows = (height + BlockSize - 1) / BlockSize;
        scratch.Prepare(columns, rows);
        if (!MapBlocks(view, columns, rows, scratch, parallelism))
        {
            areas.Add(new SolidArea(0, 0, width, height, false, 0));
            return;
        }

        // The largest candidate first; it grows at once, against the fills taken before it, and
        // is kept if it then has the minimum. Candidates start at half the minimum, as an area
        // off the block grid can hold fewer whole blocks than its pixels.
        List<Box> fills = scratch.Fills;
        for (int pass = 0; pass < MaxFills && TakeLargest(width, height, columns, rows, Math.Max(1, minArea / 2), scratch, out Box candidate); pass++)
        {
            Box grown = Grow(view, fills, candidate);
            MarkTaken(grown, columns, scratch);
            if ((long)(grown.Right - grown.Left) * (grown.Bottom - grown.Top) >= minArea)
            {
                fills.Add(grown);
            }
        }

        if (fills.Count == 0)
        {
            areas.Add(new SolidArea(0, 0, width, height, false, 0));
            return;
        }

        int first = areas.Count;
        foreach (Box f in fills)
        {
            areas.Add(new SolidArea(f.Left, f.Top, f.Right - f.Left, f.Bottom - f.Top, true, f.Colour));
        }

        AddUncovered(width, height, fills, scratch, areas);
        areas.Sort(first, areas.Count - first, RasterOrder.Instance);
    }

    /// <summary>
    /// Fills the block map; returns whether any block is solid. A row of blocks is read pixel row
    /// by pixel row, each block still solid compared with its colour (two vector compares for a
    /// whole block's width), so a block stops being read at the row where it differs.
    /// </summary>
    private static bool MapBlocks(PixelView view, int columns, int rows, Scratch scratch, int parallelism)
    {
        int parts = Math.Min(parallelism, (int)((long)view.Width * view.Height / MinParallelMapPixels));
        parts = Math.Min(parts, rows);
        if (parts <= 1)
        {
            return MapRows(view, columns, 0, rows, scratch);
        }

        // Each part maps its own block rows; the parts only read the view and write their own
        // rows of the map.
        int any = 0;
        int width = view.Width;
        int height = view.Height;
        int stride = view.Stride;
        int length = ((height - 1) * stride) + width;
        unsafe
        {
            fixed (uint* first = &MemoryMarshal.GetReference(view.Row(0)))
            {
                nint pixels = (nint)first;
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
                {
                    var whole = new PixelView(new ReadOnlySpan<uint>((uint*)pixels, length), stride, width, height);
                    if (MapRows(whole, columns, rows * part / parts, rows * (part + 1) / parts, scratch))
                    {
                        Volatile.Write(ref any, 1);
                    }
                });
            }
        }

        return any != 0;
    }

    private static bool MapRows(PixelView view, int columns, int fromRow, int toRow, Scratch scratch)
    {
        byte[] state = scratch.State;
        uint[] colours = scratch.Colour;
        bool any = false;
        for (int by = fromRow; by < toRow; by++)
        {
            int y = by * BlockSize;
            int h = Math.Min(BlockSize, view.Height - y);
            int rowStart = by * columns;
            ReadOnlySpan<uint> first = view.Row(y);
            for (int bx = 0; bx < columns; bx++)
            {
                colours[rowStart + bx] = first[bx * BlockSize];
                state[rowStart + bx] = Free;
            }

            int solid = columns;
            for (int row = y; row < y + h && solid > 0; row++)
            {
                ReadOnlySpan<uint> pixels = view.Row(row);
                for (int bx = 0; bx < columns; bx++)
                {
                    int i = rowStart + bx;
                    if (state[i] == Free && !SameColour(pixels, bx * BlockSize, Math.Min(BlockSize, view.Width - (bx * BlockSize)), colours[i]))
                    {
                        state[i] = NotSolid;
                        solid--;
                    }
                }
            }

            any |= solid > 0;
        }

        return any;
    }

    private static bool SameColour(ReadOnlySpan<uint> row, int x, int width, uint colour)
    {
        if (width == BlockSize && Vector256.IsHardwareAccelerated)
        {
            ref uint start = ref Unsafe.Add(ref MemoryMarshal.GetReference(row), x);
            Vector256<uint> wanted = Vector256.Create(colour);
            return Vector256.EqualsAll(Vector256.LoadUnsafe(ref start), wanted)
                && Vector256.EqualsAll(Vector256.LoadUnsafe(ref start, 8), wanted);
        }

        return row.Slice(x, width).IndexOfAnyExcept(colour) < 0;
    }

    /// <summary>
    /// Finds the largest rectangle of free solid blocks of one colour of at least
    /// <paramref name="minArea"/> pixels (the first in raster order of its bottom row on a tie),
    /// marks its blocks taken and returns it in pixels. The histogram heights and the best
    /// rectangle of each block row are kept between calls: a row changes only when blocks in it
    /// or above it were taken, and then only in the columns of those blocks, so a search
    /// recomputes the heights of those columns from the highest row taken and the best rectangle
    /// of the rows whose heights changed, and stops below the lowest row taken at the first row
    /// with none changed. Searching every row from the highest one taken instead, the video
    /// trace took 0.52 s of single-threaded CPU at Tight quality 8 (EncoderBench encperf
    /// --union), against 0.46 s now, for the same areas.
    /// </summary>
    private static bool TakeLargest(int width, int height, int columns, int rows, int minArea, Scratch scratch, out Box best)
    {
        byte[] state = scratch.State;
        uint[] colour = scratch.Colour;
        int[] heights = scratch.Heights;
        var stack = scratch.Stack;
        bool all = scratch.AllDirty;
        int dirtyLeft = all ? 0 : scratch.DirtyLeft;
        int dirtyRight = all ? columns : scratch.DirtyRight;
        for (int by = scratch.DirtyRow; by < rows; by++)
        {
            // Only the columns of the blocks taken since the last search can change; below the
            // lowest of those blocks, a row whose heights did not change ends the changes.
            int rowStart = by * columns;
            bool changed = all;
            for (int bx = dirtyLeft; bx < dirtyRight; bx++)
            {
                int i = rowStart + bx;
                int h;
                if (state[i] != Free)
                {
                    h = 0;
                }
                else if (by > 0 && heights[i - columns] > 0 && colour[i - columns] == colour[i])
                {
                    h = heights[i - columns] + 1;
                }
                else
                {
                    h = 1;
                }

                if (heights[i] != h)
                {
                    heights[i] = h;
                    changed = true;
                }
            }

            if (!changed)
            {
                if (by > scratch.DirtyBottom)
                {
                    break;
                }

                continue;
            }

            int bottom = Math.Min((by + 1) * BlockSize, height);
            Box rowBest = default;
            long rowBestArea = 0;

            // Largest rectangle under the histogram, within runs of one colour on this row.
            stack.Clear();
            for (int bx = 0; bx <= columns; bx++)
            {
                int h = bx == columns ? 0 : heights[rowStart + bx];
                bool boundary = h == 0
                    || (bx > 0 && heights[rowStart + bx - 1] > 0 && colour[rowStart + bx] != colour[rowStart + bx - 1]);
                if (boundary)
                {
                    // Close every open bar: the run of one colour ends here.
                    while (stack.Count > 0)
                    {
                        (int start, int barHeight) = stack[^1];
                        stack.RemoveAt(stack.Count - 1);
                        Consider(start, bx, barHeight, by, bottom, width, ref rowBest, ref rowBestArea, colour[rowStart + start]);
                    }

                    if (h > 0)
                    {
                        stack.Add((bx, h));
                    }

                    continue;
                }

                int open = bx;
                while (stack.Count > 0 && stack[^1].Height >= h)
                {
                    (int start, int barHeight) = stack[^1];
                    stack.RemoveAt(stack.Count - 1);
                    Consider(start, bx, barHeight, by, bottom, width, ref rowBest, ref rowBestArea, colour[rowStart + start]);
                    open = start;
                }

                stack.Add((open, h));
            }

            scratch.RowBest[by] = rowBest;
            scratch.RowBestArea[by] = rowBestArea;
        }

        scratch.DirtyRow = rows;
        scratch.AllDirty = false;
        scratch.DirtyBottom = -1;
        scratch.DirtyLeft = columns;
        scratch.DirtyRight = 0;
        best = default;
        long bestArea = minArea - 1;
        for (int by = 0; by < rows; by++)
        {
            if (scratch.RowBestArea[by] > bestArea)
            {
                bestArea = scratch.RowBestArea[by];
                best = scratch.RowBest[by];
            }
        }

        if (best.Right == 0)
        {
            return false;
        }

        MarkTaken(best, columns, scratch);
        return true;
    }

    /// <summary>Marks every block <paramref name="box"/> touches as taken, so no later fill overlaps it.</summary>
    private static void MarkTaken(Box box, int columns, Scratch scratch)
    {
        int top = box.Top / BlockSize;
        int bottom = (box.Bottom - 1) / BlockSize;
        scratch.DirtyRow = Math.Min(scratch.DirtyRow, top);
        scratch.DirtyBottom = Math.Max(scratch.DirtyBottom, bottom);
        scratch.DirtyLeft = Math.Min(scratch.DirtyLeft, box.Left / BlockSize);
        scratch.DirtyRight = Math.Max(scratch.DirtyRight, ((box.Right - 1) / BlockSize) + 1);
        for (int by = top; by <= bottom; by++)
        {
            for (int bx = box.Left / BlockSize; bx * BlockSize < box.Right; bx++)
            {
                scratch.State[(by * columns) + bx] = Taken;
            }
        }
    }

    private static void Consider(int startColumn, int endColumn, int blockRows, int lastRow, int bottom, int width, ref Box best, ref long bestArea, uint colour)
    {
        int left = startColumn * BlockSize;
        int right = Math.Min(endColumn * BlockSize, width);
        int top = (lastRow - blockRows + 1) * BlockSize;
        long area = (long)(right - left) * (bottom - top);
        if (area > bestArea)
        {
            bestArea = area;
            best = new Box(left, top, right, bottom, colour);
        }
    }

    /// <summary>
    /// Grows <paramref name="f"/> by pixel rows up and down, then by pixel columns left and
    /// right, while they hold its colour and do not enter one of <paramref name="fills"/>.
    /// </summary>
    private static Box Grow(PixelView view, List<Box> fills, Box f)
    {
        uint colour = f.Colour;

        int topLimit = 0;
        int bottomLimit = view.Height;
        foreach (Box o in fills)
        {
            if (o.Left < f.Right && o.Right > f.Left)
            {
                if (o.Bottom <= f.Top)
                {
                    topLimit = Math.Max(topLimit, o.Bottom);
                }
                else if (o.Top >= f.Bottom)
                {
                    bottomLimit = Math.Min(bottomLimit, o.Top);
                }
            }
        }

        int top = f.Top;
        while (top > topLimit && view.Row(top - 1)[f.Left..f.Right].IndexOfAnyExcept(colour) < 0)
        {
            top--;
        }

        int bottom = f.Bottom;
        while (bottom < bottomLimit && view.Row(bottom)[f.Left..f.Right].IndexOfAnyExcept(colour) < 0)
        {
            bottom++;
        }

        int leftLimit = 0;
        int rightLimit = view.Width;
        foreach (Box o in fills)
        {
            if (o.Top < bottom && o.Bottom > top)
            {
                if (o.Right <= f.Left)
                {
                    leftLimit = Math.Max(leftLimit, o.Right);
                }
                else if (o.Left >= f.Right)
                {
                    rightLimit = Math.Min(rightLimit, o.Left);
                }
            }
        }

        // Columns, found row by row: each row's run of the colour bounds how far the side can go.
        int right = rightLimit;
        for (int row = top; row < bottom && right > f.Right; row++)
        {
            int differs = view.Row(row)[f.Right..right].IndexOfAnyExcept(colour);
            if (differs >= 0)
            {
                right = f.Right + differs;
            }
        }

        int left = leftLimit;
        for (int row = top; row < bottom && left < f.Left; row++)
        {
            int differs = view.Row(row)[left..f.Left].LastIndexOfAnyExcept(colour);
            if (differs >= 0)
            {
                left += differs + 1;
            }
        }

        return new Box(left, top, right, bottom, colour);
    }

    /// <summary>
    /// Adds what the fills leave uncovered. The rows are cut into bands where a fill starts or
    /// ends; each run of uncovered columns in a band continues the area above it when that area
    /// spans the same columns, and starts a new area otherwise. So a fill at one side of the
    /// screen does not cut the areas at the other side into bands.
    /// </summary>
    private static void AddUncovered(int width, int height, List<Box> fills, Scratch scratch, List<SolidArea> areas)
    {
        List<int> edges = scratch.Edges;
        edges.Clear();
        edges.Add(0);
        edges.Add(height);
        foreach (Box f in fills)
        {
            edges.Add(f.Top);
            edges.Add(f.Bottom);
        }

        edges.Sort();
        List<(int Left, int Right)> covered = scratch.Covered;
        List<(int Left, int Right, int Top)> open = scratch.Open;
        List<(int Left, int Right, int Top)> next = scratch.Next;
        open.Clear();
        for (int e = 0; e + 1 < edges.Count; e++)
        {
            int top = edges[e];
            int bottom = edges[e + 1];
            if (top == bottom)
            {
                continue;
            }

            covered.Clear();
            foreach (Box f in fills)
            {
                if (f.Top <= top && f.Bottom >= bottom)
                {
                    covered.Add((f.Left, f.Right));
                }
            }

            covered.Sort();
            next.Clear();
            int x = 0;
            foreach ((int left, int right) in covered)
            {
                if (left > x)
                {
                    Continue(open, next, x, left, top);
                }

                x = Math.Max(x, right);
            }

            if (x < width)
            {
                Continue(open, next, x, width, top);
            }

            // Areas above that no run of this band continues end here.
            foreach ((int left, int right, int openTop) in open)
            {
                areas.Add(new SolidArea(left, openTop, right - left, top - openTop, false, 0));
            }

            open.Clear();
            open.AddRange(next);
        }

        foreach ((int left, int right, int openTop) in open)
        {
            areas.Add(new SolidArea(left, openTop, right - left, height - openTop, false, 0));
        }
    }

    /// <summary>Moves the open area spanning <paramref name="left"/>..<paramref name="right"/> to <paramref name="next"/>, or starts one at <paramref name="top"/>.</summary>
    private static void Continue(List<(int Left, int Right, int Top)> open, List<(int Left, int Right, int Top)> next, int left, int right, int top)
    {
        for (int i = 0; i < open.Count; i++)
        {
            if (open[i].Left == left && open[i].Right == right)
            {
                next.Add(open[i]);
                open.RemoveAt(i);
                return;
            }
        }

        next.Add((left, right, top));
    }

    /// <summary>A rectangle in pixels, right and bottom exclusive, and its colour.</summary>
    private readonly record struct Box(int Left, int Top, int Right, int Bottom, uint Colour);

    private sealed class RasterOrder : IComparer<SolidArea>
    {
        public static readonly RasterOrder Instance = new();

        public int Compare(SolidArea a, SolidArea b) => a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X.CompareTo(b.X);
    }

    /// <summary>Per-thread buffers, so a search allocates nothing once they are large enough.</summary>
    private sealed class Scratch
    {
        public byte[] State = [];
        public uint[] Colour = [];
        public int[] Heights = [];
        public Box[] RowBest = [];
        public long[] RowBestArea = [];

        /// <summary>The first block row whose heights and best rectangle must be found again.</summary>
        public int DirtyRow;

        /// <summary>The last block row taken since the last search.</summary>
        public int DirtyBottom;

        /// <summary>The block columns taken since the last search (right exclusive).</summary>
        public int DirtyLeft;

        /// <summary>See <see cref="DirtyLeft"/>.</summary>
        public int DirtyRight;

        /// <summary>Whether nothing of the map has been searched yet.</summary>
        public bool AllDirty;
        public readonly List<(int Start, int Height)> Stack = [];
        public readonly List<Box> Fills = [];
        public readonly List<int> Edges = [];
        public readonly List<(int Left, int Right)> Covered = [];
        public readonly List<(int Left, int Right, int Top)> Open = [];
        public readonly List<(int Left, int Right, int Top)> Next = [];

        public void Prepare(int columns, int rows)
        {
            int blocks = columns * rows;
            if (State.Length < blocks)
            {
                State = new byte[blocks];
                Colour = new uint[blocks];
                Heights = new int[blocks];
            }

            if (RowBest.Length < rows)
            {
                RowBest = new Box[rows];
                RowBestArea = new long[rows];
            }

            DirtyRow = 0;
            AllDirty = true;

            Fills.Clear();
        }
    }
}
