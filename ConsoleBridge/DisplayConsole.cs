using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ConsoleBridge.Damage;
using ConsoleBridge.Surfaces;
using Microsoft.Extensions.Logging;

namespace ConsoleBridge;

/// <summary>
/// One head of the emulator, as QEMU's console is one: the emulator switches it to a surface,
/// invalidates what the guest drew and reports blits; clients' input goes to its
/// <see cref="Host"/>. The console keeps a shadow of the head in the canonical XRGB8888 format
/// and stamps changed tiles with a generation, so each reader asks only for what changed since
/// it last looked.
/// </summary>
/// <remarks>
/// The emulator's calls are cheap: <see cref="Invalidate(PixelRect)"/> only records a rectangle.
/// The comparison against the shadow runs on the console's refresh thread, at an interval that
/// is short while things change, grows while they do not, and is cut short when a reader waits
/// (<see cref="RequestRefresh"/>) and damage is pending.
/// </remarks>
public sealed partial class DisplayConsole : IDisposable
{
    /// <summary>Above this many pending rectangles, further ones are merged into their bounding box.</summary>
    internal const int MaxPendingRects = 64;

    /// <summary>
    /// How many recent blits are kept for readers that lag behind. An X server scrolling a terminal
    /// makes about ten blits a frame, so a client one or two frames behind (the usual case at full
    /// speed) needs 20–30; with 16 such a client got whole screens of pixels instead of CopyRects.
    /// Each entry is a few dozen bytes and a session walks only those newer than it has seen.
    /// </summary>
    public const int MaxRecentCopies = 64;

    private readonly ReaderWriterLockSlim _shadowLock = new(LockRecursionPolicy.NoRecursion);
    private readonly object _pendingLock = new();
    private readonly object _refreshLock = new();
    private readonly DisplayConsoleOptions _options;
    private readonly List<ConsoleCopy> _copies = new();
    private readonly List<PixelRect> _resolveScratch = new();
    private readonly List<PixelRect> _heldScratch = new();
    private readonly List<ScrollMove> _scrollMoves = new();
    private readonly ScrollDetector _scrolls = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread? _refreshThread;

    private List<PixelRect> _pending = new();
    private List<PixelRect> _pendingSpare = new();
    private bool _readerWaiting;
    private bool _moveUnannounced;
    private volatile bool _disposed;

    private GuestSurface? _surface;
    private uint[] _shadow;
    private TileGrid _tiles;
    private int _width;
    private int _height;
    private long _surfaceSerial;
    private uint[] _rowScratch = Array.Empty<uint>();
    private bool[] _changedScratch = Array.Empty<bool>();
    private long _parallelBandApplies;
    private IConsoleHost _host;

    public DisplayConsole(IConsoleHost? host = null, DisplayConsoleOptions? options = null)
    {
        _options = options ?? new DisplayConsoleOptions();
        if (_options.MinRefreshInterval < TimeSpan.FromMilliseconds(1) || _options.MaxRefreshInterval < _options.MinRefreshInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MinRefreshInterval must be at least 1 ms and MaxRefreshInterval at least MinRefreshInterval.");
        }

        _host = host ?? NullConsoleHost.Instance;
        _width = _options.InitialWidth;
        _height = _options.InitialHeight;
        _shadow = new uint[_width * _height];
        _tiles = new TileGrid(_width, _height, _options.TileSize);
        _tiles.Stamp(new PixelRect(0, 0, _width, _height), _tiles.NextGeneration());
        if (_options.AutoRefresh)
        {
            _refreshThread = new Thread(RefreshLoop) { IsBackground = true, Name = "console refresh" };
            _refreshThread.Start();
        }
    }

    /// <summary>Receives the input of every client showing this console.</summary>
    public IConsoleHost Host
    {
        get => _host;
        set => _host = value ?? NullConsoleHost.Instance;
    }

    /// <summary>Width of the shadow (the current surface, or the placeholder).</summary>
    public int Width => Volatile.Read(ref _width);

    /// <summary>Height of the shadow.</summary>
    public int Height => Volatile.Read(ref _height);

    /// <summary>The surface now shown, or null before the first switch.</summary>
    public GuestSurface? Surface => _surface;

    /// <summary>
    /// Raised after a refresh changed tiles or announced blits (<see cref="CopyRect"/> is
    /// announced by the next refresh, so readers see a frame's blits and pixels together). Runs on
    /// the refreshing thread; keep it short.
    /// </summary>
    public event EventHandler? Updated;

    /// <summary>Raised after a surface switch (new size or format); every tile is then changed.</summary>
    public event EventHandler? SurfaceChanged;

    /// <summary>
    /// Shows <paramref name="surface"/> from now on. The whole head is read into the shadow, every
    /// tile is marked changed, and <see cref="SurfaceChanged"/> is raised.
    /// </summary>
    public void SwitchSurface(GuestSurface surface)
    {
        ArgumentNullException.ThrowIfNull(surface);
        ObjectDisposedException.ThrowIf(_disposed, this);
        EndGlScanout();
        lock (_refreshLock)
        {
            lock (_pendingLock)
            {
                _pending.Clear();
            }

            _shadowLock.EnterWriteLock();
            try
            {
                long next = _tiles.Generation;
                if (surface.Width != _width || surface.Height != _height)
                {
                    _shadow = new uint[surface.Width * surface.Height];
                    _tiles = new TileGrid(surface.Width, surface.Height, _options.TileSize);
                    Volatile.Write(ref _width, surface.Width);
                    Volatile.Write(ref _height, surface.Height);
                }

                _surface = surface;
                _copies.Clear();
                for (int y = 0; y < surface.Height; y++)
                {
                    PixelRowConverter.ToCanonical(surface.Row(y, 0, surface.Width), surface.Format, _shadow.AsSpan(y * surface.Width, surface.Width));
                }

                _tiles.SetGenerationFloor(next);
                _tiles.Stamp(new PixelRect(0, 0, _width, _height), _tiles.NextGeneration());
                _surfaceSerial++;
            }
            finally
            {
                _shadowLock.ExitWriteLock();
            }
        }

        SurfaceChanged?.Invoke(this, EventArgs.Empty);
        RaiseUpdated();
    }

    /// <summary>Records that the guest drew inside the rectangle; it is compared at the next refresh.</summary>
    public void Invalidate(int x, int y, int width, int height) => Invalidate(new PixelRect(x, y, width, height));

    /// <inheritdoc cref="Invalidate(int, int, int, int)"/>
    public void Invalidate(PixelRect rect)
    {
        if (rect.IsEmpty)
        {
            return;
        }

        bool wake;
        lock (_pendingLock)
        {
            AddPendingUnsynchronized(rect);
            wake = _readerWaiting;
        }

        if (wake)
        {
            Wake();
        }
    }

    /// <summary>
    /// Reports that the guest moved the pixels of a rectangle to another place (the surface
    /// already shows the result), as QEMU's <c>dpy_gfx_copy</c>. Readers that can repeat the move
    /// (RFB's CopyRect) are spared the pixels. Damage recorded before the move is resolved first
    /// where the move did not overwrite it; damage under the source also stays pending at the
    /// destination, so whatever the guest drew there reaches the shadow at the next refresh.
    /// <see cref="Updated"/> is raised for the blit by that refresh, not here, so that readers
    /// see a frame's blits and pixels together (with <c>AutoRefresh</c>, the refresh thread is
    /// woken at once when a reader waits).
    /// </summary>
    public void CopyRect(int sourceX, int sourceY, int destinationX, int destinationY, int width, int height)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool changed;
        bool wake = false;
        lock (_refreshLock)
        {
            var bounds = new PixelRect(0, 0, _width, _height);
            var src = new PixelRect(sourceX, sourceY, width, height);
            var dst = new PixelRect(destinationX, destinationY, width, height);
            if (_surface is null || !bounds.Contains(src) || !bounds.Contains(dst))
            {
                // Not a move we can mirror; treat the destination as plain damage.
                changed = RefreshUnsynchronized();
                lock (_pendingLock)
                {
                    AddPendingUnsynchronized(dst);
                    wake = _readerWaiting;
                }
            }
            else if (src == dst)
            {
                changed = RefreshUnsynchronized();
            }
            else
            {
                MoveUnsynchronized(_surface, src, dst);
                Volatile.Write(ref _moveUnannounced, true);
                changed = false;
                lock (_pendingLock)
                {
                    wake = _readerWaiting;
                }
            }
        }

        if (wake)
        {
            Wake();
        }

        if (changed)
        {
            RaiseUpdated();
        }
    }

    /// <summary>
    /// Compares every pending rectangle with the shadow now, copies what changed and stamps the
    /// changed tiles; announces blits made since the last refresh. Returns whether anything
    /// changed (a blit included). Safe to call from any thread.
    /// </summary>
    public bool Refresh()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool changed;
        lock (_refreshLock)
        {
            changed = RefreshUnsynchronized();
            changed |= _moveUnannounced;
            _moveUnannounced = false;
        }

        if (changed)
        {
            RaiseUpdated();
        }

        return changed;
    }

    /// <summary>
    /// A reader is waiting for changes: refresh at once if damage is pending, and at once on the
    /// next invalidation otherwise, instead of waiting for the next tick.
    /// </summary>
    public void RequestRefresh()
    {
        bool wake;
        lock (_pendingLock)
        {
            _readerWaiting = true;
            wake = _pending.Count > 0 || Volatile.Read(ref _moveUnannounced);
        }

        if (wake)
        {
            Wake();
        }
    }

    /// <summary>
    /// Takes the shadow for reading. Refreshes wait until the returned scope is disposed, so a
    /// reader never sees a half-written tile; keep the scope short and on one thread.
    /// </summary>
    public ShadowReadScope ReadShadow()
    {
        _shadowLock.EnterReadLock();
        return new ShadowReadScope(this);
    }

    internal void ExitRead() => _shadowLock.ExitReadLock();

    internal ReadOnlySpan<uint> ShadowPixels => _shadow;

    internal TileGrid TilesUnsynchronized => _tiles;

    internal long SurfaceSerialUnsynchronized => _surfaceSerial;

    internal IReadOnlyList<ConsoleCopy> CopiesUnsynchronized => _copies;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _wake.Set();
        // From an Updated handler on the refresh thread itself, the loop ends once it returns.
        if (_refreshThread is not null && _refreshThread != Thread.CurrentThread)
        {
            _refreshThread.Join();
        }

        _wake.Dispose();
    }

    /// <summary>Wakes the refresh thread; after Dispose (a late invalidation or reader) there is nothing to wake.</summary>
    private void Wake()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _wake.Set();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// GL read-back rectangles of at least this many pixels are converted, compared and copied
    /// into the shadow in parallel bands of tile rows.
    /// </summary>
    internal const int ParallelRowsMinPixels = 128 * 1024;

    /// <summary>
    /// The default of <see cref="GuestBandsMinPixels"/>: a 3840×2160 frame. Below it a
    /// guest-memory rectangle is compared on the refreshing thread alone. Measured with
    /// TraceBench (xterm_scroll, Tight quality 8, recorded pace, 2 vCPUs, three runs each way):
    /// with bands from 128 Ki pixels, the refresh of a 1280×720 update took 0.71–0.73 ms at the
    /// median and 3.5–3.7 ms at the 99th percentile, up to 11–13 ms where the band's helper
    /// thread was descheduled (the refreshing thread holds the write lock while it waits for it);
    /// on one thread 0.52–0.56 ms and 0.90–1.04 ms. Comparing a 720p frame on two threads saves
    /// about 33 µs in isolation (ConsoleRefreshBenchmarks), less than waking the helper costs
    /// beside an emulator's busy threads.
    /// </summary>
    internal const int GuestParallelRowsMinPixels = 3840 * 2160;

    /// <summary>
    /// How many threads compare and copy a large rectangle into the shadow (bands of tile rows);
    /// 1 does it on the refreshing thread alone. Default: the processor count.
    /// </summary>
    internal int RowWorkers { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Guest-memory rectangles of at least this many pixels are compared in bands (when
    /// <see cref="RowWorkers"/> is above 1). Default <see cref="GuestParallelRowsMinPixels"/>.
    /// </summary>
    internal int GuestBandsMinPixels { get; set; } = GuestParallelRowsMinPixels;

    /// <summary>Test hook: how many rectangles went through the parallel bands.</summary>
    internal long ParallelBandApplies => Interlocked.Read(ref _parallelBandApplies);

    /// <summary>Compares and copies row <c>y</c> into the shadow (with a row of scratch and the change flags); returns whether it differed.</summary>
    private delegate bool BandRow(int y, Span<uint> scratch, Span<bool> changed);

    /// <summary>Whether <paramref name="rect"/> has at least <paramref name="minPixels"/>, and spans tile rows enough, for <see cref="CompareRowsInBands"/>.</summary>
    private bool UsesBands(PixelRect rect, int minPixels)
        => RowWorkers > 1 && rect.Area >= minPixels && (rect.Bottom - 1) / _tiles.TileSize > rect.Y / _tiles.TileSize;

    /// <summary>
    /// Runs <paramref name="compareRow"/> on the rows of <paramref name="rect"/> in bands of whole
    /// tile rows, one band per work item on up to <see cref="RowWorkers"/> threads. A tile belongs
    /// to one band, so no two workers write the same change flag, tile note or shadow pixel; the
    /// caller stamps the changed tiles with one generation after all bands are done. Runs under
    /// the write lock, which the calling thread holds while it waits for the workers. A whole
    /// 1280×720 frame took 114.9 µs on one thread and 81.5 µs on two (EncoderBench's
    /// ConsoleRefreshBenchmarks, docs/performance.md).
    /// </summary>
    private bool CompareRowsInBands(PixelRect rect, BandRow compareRow)
    {
        int tileSize = _tiles.TileSize;
        int firstBand = rect.Y / tileSize;
        int bandCount = (rect.Bottom - 1) / tileSize - firstBand + 1;
        bool[] changed = _changedScratch;
        int tileCount = _tiles.TileCount;
        int anyChanged = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = RowWorkers };
        try
        {
            Parallel.For(
                0,
                bandCount,
                options,
                () => ArrayPool<uint>.Shared.Rent(rect.Width),
                (band, _, scratch) =>
                {
                    int top = Math.Max(rect.Y, (firstBand + band) * tileSize);
                    int bottom = Math.Min(rect.Bottom, (firstBand + band + 1) * tileSize);
                    Span<uint> row = scratch.AsSpan(0, rect.Width);
                    Span<bool> flags = changed.AsSpan(0, tileCount);
                    bool bandChanged = false;
                    for (int y = top; y < bottom; y++)
                    {
                        bandChanged |= compareRow(y, row, flags);
                    }

                    if (bandChanged)
                    {
                        Volatile.Write(ref anyChanged, 1);
                    }

                    return scratch;
                },
                scratch => ArrayPool<uint>.Shared.Return(scratch));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }

        Interlocked.Increment(ref _parallelBandApplies);
        return anyChanged != 0;
    }

    /// <summary>
    /// Raises <see cref="Updated"/>. A waiting reader is served by this event, so the wait ends
    /// here and not when a refresh starts: a refresh that finds nothing changed leaves the reader
    /// waiting, and the next invalidation still wakes the refresh thread at once.
    /// </summary>
    private void RaiseUpdated()
    {
        lock (_pendingLock)
        {
            _readerWaiting = false;
        }

        Updated?.Invoke(this, EventArgs.Empty);
    }

    private void AddPendingUnsynchronized(PixelRect rect)
    {
        if (_pending.Count < MaxPendingRects)
        {
            _pending.Add(rect);
            return;
        }

        PixelRect all = rect;
        foreach (PixelRect r in _pending)
        {
            all = all.Union(r);
        }

        _pending.Clear();
        _pending.Add(all);
    }

    private void RefreshLoop()
    {
        TimeSpan interval = _options.MinRefreshInterval;
        while (!_disposed)
        {
            _wake.WaitOne(interval);
            if (_disposed)
            {
                break;
            }

            bool changed;
            try
            {
                changed = Refresh();
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (Exception ex)
            {
                // An Updated or SurfaceChanged subscriber threw. The refresh itself completed;
                // losing the refresh thread would freeze every client, so report and go on.
                _options.Logger?.LogError(ex, "A console update handler threw; refreshing continues");
                changed = true;
            }

            interval = changed
                ? _options.MinRefreshInterval
                : TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _options.MaxRefreshInterval.Ticks));
        }
    }

    private bool RefreshUnsynchronized()
    {
        List<PixelRect> work;
        lock (_pendingLock)
        {
            if (_pending.Count == 0)
            {
                return false;
            }

            work = _pending;
            _pending = _pendingSpare;
            _pendingSpare = work;
        }

        bool any = false;
        _shadowLock.EnterWriteLock();
        try
        {
            GuestSurface? surface = _surface;
            if (surface is not null)
            {
                any = MoveScrolledRowsUnsynchronized(surface, work);
                any |= CompareAndCopyUnsynchronized(surface, work);
            }
        }
        finally
        {
            _shadowLock.ExitWriteLock();
            work.Clear();
        }

        return any;
    }

    /// <summary>
    /// Where the guest scrolled by redrawing (no blit reported in this frame), moves the shadow's
    /// rows as a blit would and records the move for readers (<see cref="ScrollDetector"/>), so
    /// the comparison that follows finds only what is new. The pending damage stays pending: it
    /// is compared right after, and the moved rows now equal the guest's. Returns whether it moved
    /// anything.
    /// </summary>
    private bool MoveScrolledRowsUnsynchronized(GuestSurface surface, List<PixelRect> rects)
    {
        if (!_options.DetectScrolls || Volatile.Read(ref _moveUnannounced) || surface.Format is not (DrmFourcc.Xrgb8888 or DrmFourcc.Argb8888))
        {
            return false;
        }

        var bounds = new PixelRect(0, 0, _width, _height);
        PixelRect area = default;
        long damaged = 0;
        foreach (PixelRect raw in rects)
        {
            PixelRect rect = raw.Intersect(bounds);
            area = area.Union(rect);
            damaged += rect.Area;
        }

        if (!_scrolls.ShouldSearch(area, damaged))
        {
            return false;
        }

        List<ScrollMove> moves = _scrollMoves;
        moves.Clear();
        if (!_scrolls.Search(surface, _shadow, _width, area, moves))
        {
            return false;
        }

        foreach (ScrollMove move in moves)
        {
            RecordMoveUnsynchronized(move.Source, move.Destination);
        }

        moves.Clear();
        return true;
    }

    /// <summary>Scroll searches made and moves found (<see cref="DisplayConsoleOptions.DetectScrolls"/>), for tests and benchmarks.</summary>
    internal (long Searches, long Moves) ScrollStatistics
    {
        get
        {
            lock (_refreshLock)
            {
                return (_scrolls.Searches, _scrolls.MovesFound);
            }
        }
    }

    /// <summary>Moves the shadow's <paramref name="src"/> to <paramref name="dst"/>, stamps the destination and keeps the move for readers (under the write lock).</summary>
    private void RecordMoveUnsynchronized(PixelRect src, PixelRect dst)
    {
        long sourceGeneration = _tiles.NewestGeneration(src);
        MoveShadowUnsynchronized(src, dst);
        long generation = _tiles.NextGeneration();
        _tiles.Stamp(dst, generation);
        if (_copies.Count == MaxRecentCopies)
        {
            _copies.RemoveAt(0);
        }

        _copies.Add(new ConsoleCopy(generation, sourceGeneration, src, dst));
    }

    private bool CompareAndCopyUnsynchronized(GuestSurface surface, List<PixelRect> rects)
    {
        TileGrid tiles = _tiles;
        if (_changedScratch.Length < tiles.TileCount)
        {
            _changedScratch = new bool[tiles.TileCount];
        }

        Span<bool> changed = _changedScratch.AsSpan(0, tiles.TileCount);
        changed.Clear();
        if (_rowScratch.Length < _width)
        {
            _rowScratch = new uint[_width];
        }

        var bounds = new PixelRect(0, 0, _width, _height);
        bool any = false;
        foreach (PixelRect raw in rects)
        {
            PixelRect rect = raw.Intersect(bounds);
            if (rect.IsEmpty)
            {
                continue;
            }

            bool masked = surface.Format is DrmFourcc.Xrgb8888 or DrmFourcc.Argb8888;
            if (UsesBands(rect, GuestBandsMinPixels))
            {
                any |= masked
                    ? CompareRowsInBands(rect, (y, _, flags) => CompareAndCopyMaskedRowUnsynchronized(MemoryMarshal.Cast<byte, uint>(surface.Row(y, rect.X, rect.Width)), rect.X, y, flags))
                    : CompareRowsInBands(rect, (y, row, flags) =>
                    {
                        PixelRowConverter.ToCanonical(surface.Row(y, rect.X, rect.Width), surface.Format, row);
                        return CompareAndCopyRowUnsynchronized(row, rect.X, y, flags);
                    });
                continue;
            }

            if (masked)
            {
                // The common case: one pass that masks, compares and copies.
                for (int y = rect.Y; y < rect.Bottom; y++)
                {
                    any |= CompareAndCopyMaskedRowUnsynchronized(MemoryMarshal.Cast<byte, uint>(surface.Row(y, rect.X, rect.Width)), rect.X, y, changed);
                }

                continue;
            }

            Span<uint> row = _rowScratch.AsSpan(0, rect.Width);
            for (int y = rect.Y; y < rect.Bottom; y++)
            {
                PixelRowConverter.ToCanonical(surface.Row(y, rect.X, rect.Width), surface.Format, row);
                any |= CompareAndCopyRowUnsynchronized(row, rect.X, y, changed);
            }
        }

        if (any)
        {
            StampChangedUnsynchronized(changed);
        }

        return any;
    }

    /// <summary>
    /// Compares one canonical row, which starts at (<paramref name="x0"/>, <paramref name="y"/>),
    /// with the shadow and copies in what differs, marking in <paramref name="changed"/> the tiles
    /// that differ and noting in the tile grid the columns and rows where they differ, so that a
    /// reader that missed only this change is sent just those pixels.
    /// </summary>
    private bool CompareAndCopyRowUnsynchronized(ReadOnlySpan<uint> row, int x0, int y, Span<bool> changed)
    {
        TileGrid tiles = _tiles;
        int tileSize = tiles.TileSize;
        int right = x0 + row.Length;
        Span<uint> shadowRow = _shadow.AsSpan(y * _width + x0, row.Length);
        int tileRowBase = (y / tileSize) * tiles.Columns;
        bool any = false;
        // Walk the row one tile-column segment at a time, so a difference marks only its tile.
        int x = x0;
        while (x < right)
        {
            int segmentEnd = Math.Min(right, (x / tileSize + 1) * tileSize);
            int offset = x - x0;
            int length = segmentEnd - x;
            Span<uint> shadowSegment = shadowRow.Slice(offset, length);
            ReadOnlySpan<uint> guestSegment = row.Slice(offset, length);
            int first = guestSegment.CommonPrefixLength(shadowSegment);
            if (first < length)
            {
                int last = LastDifference(guestSegment, shadowSegment, first);
                guestSegment[first..(last + 1)].CopyTo(shadowSegment[first..]);
                NoteSegmentDifference(tileRowBase + x / tileSize, x + first, x + last + 1, y, changed);
                any = true;
            }

            x = segmentEnd;
        }

        return any;
    }

    /// <summary>
    /// <see cref="CompareAndCopyRowUnsynchronized"/> for a row of 32-bit pixels whose top byte is
    /// not colour (XRGB8888, ARGB8888): masks while it compares and copies, eight pixels at a
    /// time, instead of converting the row into scratch first. In each tile's segment of the row
    /// it looks for the first difference from the start and the last from the end, and copies the
    /// span between them.
    /// </summary>
    private bool CompareAndCopyMaskedRowUnsynchronized(ReadOnlySpan<uint> guest, int x0, int y, Span<bool> changed)
    {
        TileGrid tiles = _tiles;
        int tileSize = tiles.TileSize;
        int right = x0 + guest.Length;
        Span<uint> shadowRow = _shadow.AsSpan(y * _width + x0, guest.Length);
        ref uint g0 = ref MemoryMarshal.GetReference(guest);
        ref uint s0 = ref MemoryMarshal.GetReference(shadowRow);
        int tileRowBase = (y / tileSize) * tiles.Columns;
        bool any = false;
        int x = x0;
        while (x < right)
        {
            int segmentEnd = Math.Min(right, (x / tileSize + 1) * tileSize);
            int end = segmentEnd - x0;
            int first = FirstMaskedDifference(ref g0, ref s0, x - x0, end);
            if (first >= 0)
            {
                // Only the ends are compared: the span between the first and the last difference
                // is copied whole (its equal pixels are rewritten with the same value), which
                // costs less than comparing it where most of a segment changed (text scrolled
                // without a copy, video).
                int last;
                if (CompareEveryPixel)
                {
                    last = LastMaskedDifferenceCopying(ref g0, ref s0, first, end);
                }
                else
                {
                    last = LastMaskedDifference(ref g0, ref s0, first, end);
                    CopyMasked(ref g0, ref s0, first, last + 1);
                }

                NoteSegmentDifference(tileRowBase + x / tileSize, x0 + first, x0 + last + 1, y, changed);
                any = true;
            }

            x = segmentEnd;
        }

        return any;
    }

    /// <summary>The first pixel from <paramref name="from"/> to <paramref name="end"/> whose low 24 bits differ from the shadow's, or -1.</summary>
    internal static int FirstMaskedDifference(ref uint guest, ref uint shadow, int from, int end)
    {
        int i = from;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<uint>.Count <= end; i += Vector256<uint>.Count)
            {
                uint differ = DifferingLanes(ref guest, ref shadow, i);
                if (differ != 0)
                {
                    return i + BitOperations.TrailingZeroCount(differ);
                }
            }
        }

        for (; i < end; i++)
        {
            if ((Unsafe.Add(ref guest, i) & 0x00FF_FFFFu) != Unsafe.Add(ref shadow, i))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The last pixel before <paramref name="end"/> that differs, given that the one at <paramref name="first"/> does; searched from the end.</summary>
    internal static int LastMaskedDifference(ref uint guest, ref uint shadow, int first, int end)
    {
        int i = end;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i - Vector256<uint>.Count > first; i -= Vector256<uint>.Count)
            {
                int at = i - Vector256<uint>.Count;
                uint differ = DifferingLanes(ref guest, ref shadow, at);
                if (differ != 0)
                {
                    return at + 31 - BitOperations.LeadingZeroCount(differ);
                }
            }
        }

        for (i--; i > first; i--)
        {
            if ((Unsafe.Add(ref guest, i) & 0x00FF_FFFFu) != Unsafe.Add(ref shadow, i))
            {
                return i;
            }
        }

        return first;
    }

    /// <summary>A bit for each of the eight pixels at <paramref name="at"/> whose low 24 bits differ from the shadow's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint DifferingLanes(ref uint guest, ref uint shadow, int at)
    {
        Vector256<uint> g = Vector256.LoadUnsafe(ref guest, (nuint)at) & Vector256.Create(0x00FF_FFFFu);
        return ~Vector256.Equals(g, Vector256.LoadUnsafe(ref shadow, (nuint)at)).ExtractMostSignificantBits() & 0xFFu;
    }

    /// <summary>Copies the pixels from <paramref name="from"/> to <paramref name="to"/> (exclusive) into the shadow, without their top byte.</summary>
    private static void CopyMasked(ref uint guest, ref uint shadow, int from, int to)
    {
        int i = from;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<uint> mask = Vector256.Create(0x00FF_FFFFu);
            for (; i + Vector256<uint>.Count <= to; i += Vector256<uint>.Count)
            {
                (Vector256.LoadUnsafe(ref guest, (nuint)i) & mask).StoreUnsafe(ref shadow, (nuint)i);
            }
        }

        for (; i < to; i++)
        {
            Unsafe.Add(ref shadow, i) = Unsafe.Add(ref guest, i) & 0x00FF_FFFFu;
        }
    }

    /// <summary>
    /// Whether a segment of XRGB/ARGB pixels that differs is compared pixel by pixel after its
    /// first difference, each differing vector stored alone, as before <see cref="CopyMasked"/>;
    /// false (the default) compares only its ends and copies between them. For the benchmark's
    /// baseline (EncoderBench <c>ConsoleRefreshBenchmarks</c>) and the tests.
    /// </summary>
    internal bool CompareEveryPixel { get; set; }

    /// <summary>From <paramref name="first"/> on, compares every pixel and copies those that differ; returns the last that differed.</summary>
    private static int LastMaskedDifferenceCopying(ref uint guest, ref uint shadow, int first, int end)
    {
        int last = first;
        int i = first;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<uint> mask = Vector256.Create(0x00FF_FFFFu);
            for (; i + Vector256<uint>.Count <= end; i += Vector256<uint>.Count)
            {
                uint differ = DifferingLanes(ref guest, ref shadow, i);
                if (differ != 0)
                {
                    last = i + 31 - BitOperations.LeadingZeroCount(differ);
                    (Vector256.LoadUnsafe(ref guest, (nuint)i) & mask).StoreUnsafe(ref shadow, (nuint)i);
                }
            }
        }

        for (; i < end; i++)
        {
            uint p = Unsafe.Add(ref guest, i) & 0x00FF_FFFFu;
            if (p != Unsafe.Add(ref shadow, i))
            {
                last = i;
                Unsafe.Add(ref shadow, i) = p;
            }
        }

        return last;
    }

    /// <summary>
    /// Notes that columns <paramref name="from"/> to <paramref name="to"/> (exclusive) of row
    /// <paramref name="y"/> differed in <paramref name="tile"/>, and marks the tile changed.
    /// </summary>
    private void NoteSegmentDifference(int tile, int from, int to, int y, Span<bool> changed)
    {
        bool firstInTile = !changed[tile];
        _tiles.NoteDifference(tile, firstInTile, from, to, y);
        if (firstInTile)
        {
            // Written once per tile and refresh: the GL path's parallel bands share cache lines
            // of this array, and a store on every row made them fight over them.
            changed[tile] = true;
        }
    }

    /// <summary>The index of the last element that differs, given that the one at <paramref name="first"/> does.</summary>
    private static int LastDifference(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, int first)
    {
        // Skip equal blocks from the end with the vectorised comparison, then look element by element.
        const int Block = 16;
        int end = a.Length;
        while (end - first > Block && a[(end - Block)..end].SequenceEqual(b[(end - Block)..end]))
        {
            end -= Block;
        }

        for (int i = end - 1; i > first; i--)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return first;
    }

    private void StampChangedUnsynchronized(ReadOnlySpan<bool> changed)
    {
        long generation = _tiles.NextGeneration();
        for (int i = 0; i < changed.Length; i++)
        {
            if (changed[i])
            {
                _tiles.StampNoted(i, generation);
            }
        }
    }

    /// <summary>
    /// Mirrors a guest blit. The surface already shows the moved pixels, so pending damage can be
    /// read now only outside the destination (the blit changed nothing there). Damage inside the
    /// destination stays pending, and damage under the source is also kept pending where the move
    /// carries it: the guest may have drawn there before the blit (then the drawing moved) or
    /// after it (then it did not), and only a later comparison can tell. The shadow's source is
    /// thus either right or pending when it is moved, and so is its destination afterwards.
    /// </summary>
    private void MoveUnsynchronized(GuestSurface surface, PixelRect src, PixelRect dst)
    {
        var bounds = new PixelRect(0, 0, _width, _height);
        int dx = dst.X - src.X, dy = dst.Y - src.Y;
        List<PixelRect> work;
        lock (_pendingLock)
        {
            work = _pending;
            _pending = _pendingSpare;
            _pendingSpare = work;
        }

        List<PixelRect> resolve = _resolveScratch;
        List<PixelRect> held = _heldScratch;
        resolve.Clear();
        held.Clear();
        foreach (PixelRect raw in work)
        {
            PixelRect r = raw.Intersect(bounds);
            if (r.IsEmpty)
            {
                continue;
            }

            PixelRect inDestination = r.Intersect(dst);
            if (inDestination.IsEmpty)
            {
                resolve.Add(r);
            }
            else
            {
                held.Add(inDestination);
                AddOutside(r, inDestination, resolve);
            }

            PixelRect inSource = r.Intersect(src);
            if (!inSource.IsEmpty)
            {
                held.Add(inSource with { X = inSource.X + dx, Y = inSource.Y + dy });
            }
        }

        work.Clear();
        _shadowLock.EnterWriteLock();
        try
        {
            CompareAndCopyUnsynchronized(surface, resolve);
            RecordMoveUnsynchronized(src, dst);
        }
        finally
        {
            _shadowLock.ExitWriteLock();
            resolve.Clear();
        }

        lock (_pendingLock)
        {
            foreach (PixelRect r in held)
            {
                AddPendingUnsynchronized(r);
            }
        }

        held.Clear();
    }

    /// <summary>Adds the parts of <paramref name="rect"/> outside <paramref name="hole"/> (which lies inside it): up to four bands.</summary>
    private static void AddOutside(PixelRect rect, PixelRect hole, List<PixelRect> output)
    {
        if (hole.Y > rect.Y)
        {
            output.Add(new PixelRect(rect.X, rect.Y, rect.Width, hole.Y - rect.Y));
        }

        if (hole.Bottom < rect.Bottom)
        {
            output.Add(new PixelRect(rect.X, hole.Bottom, rect.Width, rect.Bottom - hole.Bottom));
        }

        if (hole.X > rect.X)
        {
            output.Add(new PixelRect(rect.X, hole.Y, hole.X - rect.X, hole.Height));
        }

        if (hole.Right < rect.Right)
        {
            output.Add(new PixelRect(hole.Right, hole.Y, rect.Right - hole.Right, hole.Height));
        }
    }

    private void MoveShadowUnsynchronized(PixelRect src, PixelRect dst)
    {
        int w = src.Width;
        // Rows are visited in the order that never overwrites a source row before it is read.
        if (dst.Y <= src.Y)
        {
            for (int r = 0; r < src.Height; r++)
            {
                _shadow.AsSpan((src.Y + r) * _width + src.X, w).CopyTo(_shadow.AsSpan((dst.Y + r) * _width + dst.X, w));
            }
        }
        else
        {
            for (int r = src.Height - 1; r >= 0; r--)
            {
                _shadow.AsSpan((src.Y + r) * _width + src.X, w).CopyTo(_shadow.AsSpan((dst.Y + r) * _width + dst.X, w));
            }
        }
    }

    private sealed class NullConsoleHost : IConsoleHost
    {
        public static readonly NullConsoleHost Instance = new();
    }
}
