using System.Buffers;
using ConsoleBridge;
using ConsoleBridge.Damage;
using Rfb.Encodings;
using Rfb.Encodings.Zrle;
using Rfb.Logging;
using Rfb.Protocol;

namespace Rfb.Sessions;

internal sealed partial class RfbSession
{
    /// <summary>Beyond this many rectangles an update without LastRect is sent as one rectangle per head.</summary>
    private const int MaxCountedRectangles = 60000;

    /// <summary>Black pixels for the areas no head covers; encoders read them in strips.</summary>
    private static readonly uint[] s_black = new uint[65536];

    private readonly Dictionary<DesktopHead, HeadState> _headStates = new();
    private readonly List<PlannedRect> _plan = new();
    private readonly List<PlannedRect> _batch = new();
    private BatchRect[] _batchRects = [];
    private bool[] _batchLossy = [];
    private bool _cutAtTileColumns;
    private bool _joinAcrossColumns;
    private readonly List<ConsoleCopy> _usableCopies = new();
    private readonly List<PixelRect> _uncovered = new();
    private readonly List<(PixelRect Destination, int SourceX, int SourceY)> _copyPlan = new();
    private readonly List<ScreenLayoutEntry> _screens = new();
    private bool _blackOwed;
    private long _lastLossyTimestamp;
    private volatile bool _losslessWakeScheduled;

    /// <summary>
    /// Builds one FramebufferUpdate from what this client is owed, head by head, straight into the
    /// output pipe. Each head's tiles are planned under that head's read lock and encoded under it
    /// again, one head at a time (a change in between is caught up by <see cref="CatchUpAfterPlan"/>);
    /// rectangles are offset by the head's place in the desktop.
    /// Returns false, writing nothing, when there is nothing to send for the outstanding request.
    /// </summary>
    private bool WriteFramebufferUpdate(PixelRect incremental, PixelRect full, UpdateExtras extras, long otherClientLayout, PixelTranslator translator, ClientCapabilities capabilities)
    {
        DesktopLayout layout = _desktop.Layout;
        int layoutWidth = ClampToWire(layout.Width);
        int layoutHeight = ClampToWire(layout.Height);
        bool layoutChanged = layout.Generation != _seenLayoutGeneration;
        bool resized = false;
        bool sendDesktopSize = false;
        int edsReason = -1;
        int edsStatus = 0;
        if (layoutChanged)
        {
            if (layoutWidth != _clientWidth || layoutHeight != _clientHeight)
            {
                if (capabilities.ExtendedDesktopSize || capabilities.DesktopSize)
                {
                    resized = true;
                    sendDesktopSize = !capabilities.ExtendedDesktopSize;
                    _clientWidth = layoutWidth;
                    _clientHeight = layoutHeight;
                }
                else if (!_resizeWarned)
                {
                    _resizeWarned = true;
                    RfbLog.CannotResize(_logger, Id, layoutWidth, layoutHeight);
                }
            }

            if (capabilities.ExtendedDesktopSize)
            {
                // A client that follows layouts gets the new one whole, after its screen list.
                edsReason = _seenLayoutGeneration >= 0 && otherClientLayout > _seenLayoutGeneration ? DesktopSizeReason.OtherClient : DesktopSizeReason.Server;
                resized = true;
            }

            _blackOwed = true;
            _seenLayoutGeneration = layout.Generation;
            ForgetDetachedHeads(layout);
        }

        if (extras.LayoutReply is { } reply && capabilities.ExtendedDesktopSize)
        {
            edsReason = DesktopSizeReason.ThisClient;
            edsStatus = (int)reply;
        }
        else if (edsReason < 0 && extras.ExtendedDesktopSize && capabilities.ExtendedDesktopSize)
        {
            edsReason = DesktopSizeReason.Server;
        }

        var framebuffer = new PixelRect(0, 0, Math.Min(_clientWidth, layoutWidth), Math.Min(_clientHeight, layoutHeight));
        _plan.Clear();
        _copyPlan.Clear();
        bool allowCopy = capabilities.CopyRect && !layout.HasOverlap && !resized;
        bool cursorDrawn = PlanCursor(layout, capabilities, translator);
        allowCopy &= !cursorDrawn;

        // For ZRLE a rectangle costs a header, a zlib flush and a new deflate block, and the
        // unchanged pixels between boxes mostly compress to little, so rectangles of different
        // columns are joined too (TileGrid.MergeBoxes). TraceBench, ZRLE, --pace max, single
        // runs: glxgears 8.32 -> 8.13 MB, xterm_scroll 13.30 -> 12.92, video 25.15 -> 24.94, with
        // 10-15% less CPU per update on video and xterm_scroll; xterm_scroll_paced within its run
        // to run spread. For Tight it sent unchanged video as JPEG (video +7%), so not there.
        _joinAcrossColumns = capabilities.PreferredEncoding == EncodingType.Zrle;
        foreach (DesktopPlacement placement in layout.Heads)
        {
            PlanHead(placement, StateFor(placement.Head), framebuffer, incremental, full, resized, layoutChanged, allowCopy);
        }

        _options.AfterUpdatePlannedForTests?.Invoke();

        bool multiple = layout.Heads.Count > 1;
        if (_blackOwed || !full.IsEmpty)
        {
            _uncovered.Clear();
            layout.UncoveredAreas(_uncovered);
            foreach (PixelRect area in _uncovered)
            {
                PixelRect r = area.Intersect(framebuffer);
                if (!r.IsEmpty && (_blackOwed || r.IntersectsWith(full)))
                {
                    _plan.Add(new PlannedRect(r, r, null, 0, _plan.Count));
                    multiple = true;
                }
            }

            _blackOwed = false;
        }

        bool sendName = extras.DesktopName && capabilities.DesktopName;
        bool sendKeyAck = extras.QemuKeyAck && capabilities.QemuExtendedKeyEvent;
        bool sendEds = edsReason >= 0;
        if (_plan.Count == 0 && _copyPlan.Count == 0 && !sendDesktopSize && !sendEds && !sendName && !sendKeyAck && CursorShapeRectangles == 0)
        {
            return false;
        }

        if (multiple)
        {
            OrderPlan(framebuffer);
        }

        if (!capabilities.LastRect && _plan.Count > MaxCountedRectangles)
        {
            CollapsePlan();
        }

        if (sendEds)
        {
            _screens.Clear();
            foreach (DesktopPlacement p in layout.Heads)
            {
                _screens.Add(new ScreenLayoutEntry((uint)p.ScreenId, p.Bounds.Intersect(new PixelRect(0, 0, layoutWidth, layoutHeight)), 0));
            }
        }

        int pseudo = (sendDesktopSize ? 1 : 0) + (sendEds ? 1 : 0) + (sendName ? 1 : 0) + (sendKeyAck ? 1 : 0) + _copyPlan.Count;
        pseudo += CursorShapeRectangles;
        IRectangleEncoder encoder = EncoderFor(capabilities.PreferredEncoding);
        EncodeSettings settings = capabilities.Settings;

        _cutAtTileColumns = CutsAtTileColumns(encoder, capabilities.LastRect, pseudo + _plan.Count);
        var pseudoRects = new PseudoRects(sendDesktopSize, sendEds ? edsReason : -1, edsStatus, layoutWidth, layoutHeight, sendName, sendKeyAck);

        // With LastRect the count need not be known up front, so rectangles go straight to the
        // pipe. Without it they are encoded into scratch first, because an encoder may split.
        if (capabilities.LastRect)
        {
            ServerMessageWriter.WriteFramebufferUpdateHeader(_output, ServerMessageWriter.UnknownRectangleCount);
            WritePseudoRectangles(pseudoRects);
            EncodeRectangles(encoder, translator, settings, _output);
            ServerMessageWriter.WriteLastRect(_output);
        }
        else
        {
            _scratch.ResetWrittenCount();
            int encoded = EncodeRectangles(encoder, translator, settings, _scratch);
            if (pseudo + encoded > ushort.MaxValue - 1)
            {
                throw new InvalidOperationException($"An update of {pseudo + encoded} rectangles cannot be counted; the client lacks LastRect.");
            }

            ServerMessageWriter.WriteFramebufferUpdateHeader(_output, (ushort)(pseudo + encoded));
            WritePseudoRectangles(pseudoRects);
            _output.Write(_scratch.WrittenSpan);
        }

        return true;
    }

    /// <summary>
    /// Plans one head: adds what changed since this client last saw the head to its owed map
    /// (per tile, the bounds of the pixels it lacks), picks what to send now and adds it, merged
    /// and offset into the desktop, to the plan.
    /// </summary>
    private void PlanHead(DesktopPlacement placement, HeadState state, PixelRect framebuffer, PixelRect incremental, PixelRect full, bool resized, bool layoutChanged, bool allowCopy)
    {
        int dx = placement.Bounds.X, dy = placement.Bounds.Y;
        using ShadowReadScope shadow = placement.Head.Console.ReadShadow();
        if (placement.Bounds.Width != shadow.Width || placement.Bounds.Height != shadow.Height)
        {
            // The head has switched to a surface of another size and the desktop has not placed
            // it yet: its new layout (DesktopSize or ExtendedDesktopSize first, then the head in
            // full) comes with the next update, so nothing of it goes out in this one.
            return;
        }

        TileGrid tiles = shadow.Tiles;
        PixelRect visible = Offset(placement.Bounds.Intersect(framebuffer), -dx, -dy).Intersect(new PixelRect(0, 0, shadow.Width, shadow.Height));
        PixelRect localIncremental = Offset(incremental, -dx, -dy);
        PixelRect localFull = Offset(full, -dx, -dy);
        _usableCopies.Clear();
        if (shadow.SurfaceSerial != state.SeenSurfaceSerial || state.Owed.Length != tiles.TileCount)
        {
            if (state.Owed.Length != tiles.TileCount)
            {
                state.Owed = new PixelRect[tiles.TileCount];
                state.ToSend = new PixelRect[tiles.TileCount];
                state.ClientGeneration = new long[tiles.TileCount];
            }

            OweAll(tiles, state.Owed);
            state.SeenSurfaceSerial = shadow.SurfaceSerial;
        }
        else if (allowCopy && PlanCopies(state, shadow, localIncremental, visible))
        {
            // Each tile shows, once the client has applied the CopyRects (if any), the
            // generation PlanCopies worked out, except inside its owed box; add what changed since.
            Span<PixelRect> owed = state.Owed;
            ReadOnlySpan<long> held = state.ClientGeneration;
            for (int i = 0; i < owed.Length; i++)
            {
                if (tiles.TileGeneration(i) > held[i])
                {
                    owed[i] = owed[i].Union(tiles.OwedSince(i, held[i]));
                }
            }
        }
        else
        {
            tiles.AccumulateChangesSince(state.SeenGeneration, state.Owed);
        }

        if (layoutChanged)
        {
            OweAll(tiles, state.Owed);
        }

        state.SeenGeneration = tiles.Generation;
        OweCursorTiles(placement.Head, state, tiles);
        Span<PixelRect> toSend = state.ToSend;
        toSend.Clear();
        if (resized)
        {
            OweAll(tiles, toSend);
        }
        else
        {
            if (!localFull.IsEmpty)
            {
                PixelRect area = localFull.Intersect(visible);
                if (!area.IsEmpty)
                {
                    tiles.MarkTiles(area, toSend);
                }
            }

            if (!localIncremental.IsEmpty)
            {
                ReadOnlySpan<PixelRect> owed = state.Owed;
                for (int i = 0; i < owed.Length; i++)
                {
                    if (owed[i].IntersectsWith(localIncremental))
                    {
                        toSend[i] = toSend[i].Union(owed[i]);
                    }
                }
            }
        }

        for (int i = 0; i < toSend.Length; i++)
        {
            if (!toSend[i].IsEmpty)
            {
                state.Owed[i] = default;
            }
        }

        _rects.Clear();
        tiles.MergeBoxes(toSend, _rects, _joinAcrossColumns);
        if (_joinAcrossColumns && _usableCopies.Count == 0 && FlatZrleContent())
        {
            SendBoundingBoxIfDense(_rects);
        }

        foreach (PixelRect rect in _rects)
        {
            PixelRect r = rect.Intersect(visible);
            if (!r.IsEmpty)
            {
                _plan.Add(new PlannedRect(Offset(r, dx, dy), r, state, shadow.SurfaceSerial, _plan.Count));
            }
        }

        foreach (ConsoleCopy c in _usableCopies)
        {
            _copyPlan.Add((Offset(c.Destination, dx, dy), c.Source.X + dx, c.Source.Y + dy));
        }
    }

    private static void OweAll(TileGrid tiles, Span<PixelRect> map)
    {
        for (int i = 0; i < tiles.TileCount; i++)
        {
            map[i] = tiles.TileBounds(i);
        }
    }

    private HeadState StateFor(DesktopHead head)
    {
        if (!_headStates.TryGetValue(head, out HeadState? state))
        {
            state = new HeadState(head);
            _headStates[head] = state;
        }

        return state;
    }

    private void ForgetDetachedHeads(DesktopLayout layout)
    {
        if (_headStates.Count <= layout.Heads.Count)
        {
            return;
        }

        foreach (DesktopHead head in _headStates.Keys.ToArray())
        {
            if (layout.Find(head.ScreenId) is not { } p || p.Head != head)
            {
                _headStates.Remove(head);
            }
        }
    }

    /// <summary>
    /// Puts rectangles of several heads into raster order (top, then left), and the one that
    /// reaches the framebuffer's bottom-right corner last: some clients (gvnccapture) take the
    /// picture when that corner arrives.
    /// </summary>
    private void OrderPlan(PixelRect framebuffer)
    {
        _plan.Sort(static (a, b) =>
        {
            int c = a.Desktop.Y.CompareTo(b.Desktop.Y);
            c = c != 0 ? c : a.Desktop.X.CompareTo(b.Desktop.X);
            return c != 0 ? c : a.Order.CompareTo(b.Order);
        });
        for (int i = 0; i < _plan.Count - 1; i++)
        {
            PixelRect r = _plan[i].Desktop;
            if (r.Right == framebuffer.Right && r.Bottom == framebuffer.Bottom)
            {
                PlannedRect corner = _plan[i];
                _plan.RemoveAt(i);
                _plan.Add(corner);
                break;
            }
        }
    }

    /// <summary>Without LastRect, a huge plan becomes one bounding rectangle per head (black areas stay as they are).</summary>
    private void CollapsePlan()
    {
        var bounds = new Dictionary<HeadState, (PixelRect Desktop, PixelRect Local, long Serial)>();
        int kept = 0;
        for (int i = 0; i < _plan.Count; i++)
        {
            PlannedRect p = _plan[i];
            if (p.Head is null)
            {
                _plan[kept++] = p;
                continue;
            }

            bounds[p.Head] = bounds.TryGetValue(p.Head, out var b)
                ? (b.Desktop.Union(p.Desktop), b.Local.Union(p.Local), p.Serial)
                : (p.Desktop, p.Local, p.Serial);
        }

        _plan.RemoveRange(kept, _plan.Count - kept);
        foreach ((HeadState head, var b) in bounds)
        {
            _plan.Add(new PlannedRect(b.Desktop, b.Local, head, b.Serial, _plan.Count));
        }
    }

    /// <summary>
    /// Records which tiles a rectangle left lossy on the client: a lossy encode marks every tile it
    /// touched; a lossless one clears the tiles it covered whole.
    /// </summary>
    private void TrackLossy(HeadState state, TileGrid tiles, PixelRect local, bool lossy)
    {
        if (state.Lossy.Length != tiles.TileCount)
        {
            state.Lossy = new bool[tiles.TileCount];
        }

        if (lossy)
        {
            tiles.MarkTiles(local, state.Lossy);
            state.AnyLossy = true;
            _lastLossyTimestamp = Environment.TickCount64;
            return;
        }

        if (!state.AnyLossy)
        {
            return;
        }

        int size = tiles.TileSize;
        int c0 = (local.X + size - 1) / size, c1 = local.Right / size;
        int r0 = (local.Y + size - 1) / size, r1 = local.Bottom / size;
        // Edge tiles count as covered when the rectangle reaches the grid's edge.
        if (local.Right == tiles.Width)
        {
            c1 = tiles.Columns;
        }

        if (local.Bottom == tiles.Height)
        {
            r1 = tiles.Rows;
        }

        for (int r = r0; r < r1; r++)
        {
            for (int c = c0; c < c1; c++)
            {
                state.Lossy[r * tiles.Columns + c] = false;
            }
        }
    }

    /// <summary>
    /// When nothing else is due and an area sent lossily has stayed unchanged for
    /// <see cref="RfbServerOptions.LosslessRefreshDelay"/>, sends it again losslessly, in the
    /// client's preferred encoding with quality off. Schedules a wake-up when it is not due yet.
    /// </summary>
    private bool WriteLosslessRefreshIfDue(PixelRect incremental, PixelTranslator translator, ClientCapabilities capabilities)
    {
        TimeSpan delay = _options.LosslessRefreshDelay;
        if (delay == Timeout.InfiniteTimeSpan || incremental.IsEmpty)
        {
            return false;
        }

        bool anyLossy = false;
        foreach (HeadState state in _headStates.Values)
        {
            anyLossy |= state.AnyLossy;
        }

        if (!anyLossy)
        {
            return false;
        }

        long due = _lastLossyTimestamp + (long)delay.TotalMilliseconds;
        long now = Environment.TickCount64;
        if (now < due)
        {
            if (!_losslessWakeScheduled)
            {
                _losslessWakeScheduled = true;
                _ = Task.Delay(TimeSpan.FromMilliseconds(due - now)).ContinueWith(
                    static (_, self) =>
                    {
                        var session = (RfbSession)self!;
                        session._losslessWakeScheduled = false;
                        session._wake.Set();
                    },
                    this,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            return false;
        }

        var framebuffer = new PixelRect(0, 0, _clientWidth, _clientHeight);
        _plan.Clear();
        var merged = new List<PixelRect>();
        foreach (DesktopPlacement placement in _desktop.Layout.Heads)
        {
            if (!_headStates.TryGetValue(placement.Head, out HeadState? state) || !state.AnyLossy)
            {
                continue;
            }

            using ShadowReadScope shadow = placement.Head.Console.ReadShadow();
            if (shadow.SurfaceSerial != state.SeenSurfaceSerial || state.Lossy.Length != shadow.Tiles.TileCount)
            {
                state.AnyLossy = false;
                continue;
            }

            // Tiles still owed will be sent by the next ordinary update, perhaps only in part, so
            // they stay marked lossy and wait; only settled ones are refreshed now.
            if (state.ToSend.Length != state.Lossy.Length)
            {
                state.ToSend = new PixelRect[state.Lossy.Length];
            }

            Span<PixelRect> refresh = state.ToSend;
            bool waiting = false;
            for (int i = 0; i < state.Lossy.Length; i++)
            {
                bool owed = i < state.Owed.Length && !state.Owed[i].IsEmpty;
                refresh[i] = state.Lossy[i] && !owed ? shadow.Tiles.TileBounds(i) : default;
                state.Lossy[i] &= owed;
                waiting |= state.Lossy[i];
            }

            merged.Clear();
            shadow.Tiles.MergeBoxes(refresh, merged);
            foreach (PixelRect local in merged)
            {
                PixelRect desktop = Offset(local, placement.Bounds.X, placement.Bounds.Y).Intersect(framebuffer);
                if (!desktop.IsEmpty)
                {
                    PixelRect clippedLocal = Offset(desktop, -placement.Bounds.X, -placement.Bounds.Y);
                    _plan.Add(new PlannedRect(desktop, clippedLocal, state, shadow.SurfaceSerial, _plan.Count));
                }
            }

            // Whatever settled tile is not sent now (outside the client's framebuffer) is not owed a refresh.
            state.AnyLossy = waiting;
        }

        if (_plan.Count == 0)
        {
            return false;
        }

        IRectangleEncoder encoder = EncoderFor(capabilities.PreferredEncoding);
        EncodeSettings lossless = capabilities.Settings with { QualityLevel = -1, FineQuality = -1 };
        _cutAtTileColumns = CutsAtTileColumns(encoder, capabilities.LastRect, _plan.Count);
        if (capabilities.LastRect)
        {
            ServerMessageWriter.WriteFramebufferUpdateHeader(_output, ServerMessageWriter.UnknownRectangleCount);
            EncodeRectangles(encoder, translator, lossless, _output);
            ServerMessageWriter.WriteLastRect(_output);
        }
        else
        {
            _scratch.ResetWrittenCount();
            int encoded = EncodeRectangles(encoder, translator, lossless, _scratch);
            ServerMessageWriter.WriteFramebufferUpdateHeader(_output, (ushort)Math.Min(encoded, ushort.MaxValue - 1));
            _output.Write(_scratch.WrittenSpan);
        }

        return true;
    }

    /// <summary>
    /// Encodes the plan: each run of one head's rectangles under that head's read lock, black
    /// areas from a buffer of zeros. A head that switched surfaces since it was planned is
    /// skipped; it is owed in full at the next update.
    /// </summary>
    private int EncodeRectangles(IRectangleEncoder encoder, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        int count = 0;
        int i = 0;
        while (i < _plan.Count)
        {
            PlannedRect planned = _plan[i];
            if (planned.Head is not { } state)
            {
                count += EncodeBlack(encoder, planned.Desktop, translator, settings, output);
                i++;
                continue;
            }

            using ShadowReadScope shadow = state.Head.Console.ReadShadow();
            var view = new PixelView(shadow.Pixels, shadow.Width, shadow.Width, shadow.Height);
            long serial = shadow.SurfaceSerial;
            CatchUpAfterPlan(state, shadow);
            do
            {
                PlannedRect p = _plan[i];
                if (p.Serial == serial)
                {
                    if (DrawsCursorInto(state, p.Local))
                    {
                        // Drawn into a copy of its pixels: a surface of its own, so alone.
                        count += EncodeBatch(encoder, state, shadow.Tiles, view, translator, settings, output);
                        count += encoder.Encode(WithCursor(state, view, p.Local), p.Desktop.X, p.Desktop.Y, translator, settings, output);
                        TrackLossy(state, shadow.Tiles, p.Local, encoder.LastEncodeWasLossy);
                    }
                    else
                    {
                        _batch.Add(p);
                    }
                }

                i++;
            }
            while (i < _plan.Count && _plan[i].Head == state);
            count += EncodeBatch(encoder, state, shadow.Tiles, view, translator, settings, output);
        }

        return count;
    }

    /// <summary>
    /// The head was planned under one read lock and is encoded under another; a refresh or a blit
    /// may have come in between, so the pixels about to be sent can be newer than the state the
    /// plan took (<c>SeenGeneration</c>). The client would then hold newer pixels where they are
    /// sent and older ones elsewhere, and a later update following a blit made in between would
    /// move the newer pixels again (a scroll applied twice, never repaired). So the session takes
    /// the newer state as seen and owes every tile changed since the plan, blits included: those
    /// go out as pixels in the next update.
    /// </summary>
    private static void CatchUpAfterPlan(HeadState state, in ShadowReadScope shadow)
    {
        TileGrid tiles = shadow.Tiles;
        if (shadow.SurfaceSerial != state.SeenSurfaceSerial || tiles.Generation == state.SeenGeneration || state.Owed.Length != tiles.TileCount)
        {
            // Unchanged, or a new surface, which the next plan sends whole anyway.
            return;
        }

        tiles.AccumulateChangesSince(state.SeenGeneration, state.Owed);
        state.SeenGeneration = tiles.Generation;
    }

    /// <summary>
    /// Encodes the rectangles gathered in <see cref="_batch"/> (one head's, in plan order) in one
    /// call, so the encoder can spread them over its threads, and empties the batch.
    /// </summary>
    private int EncodeBatch(IRectangleEncoder encoder, HeadState state, TileGrid tiles, PixelView head, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        int n = _batch.Count;
        if (n == 0)
        {
            return 0;
        }

        // Room for every rectangle cut in two (ZRLE, below).
        if (_batchRects.Length < 2 * n)
        {
            _batchRects = new BatchRect[Math.Max(2 * n, _batchRects.Length * 2)];
            _batchLossy = new bool[_batchRects.Length];
        }

        bool cut = _cutAtTileColumns && tiles.TileSize == ZrleTileSize;
        int m = 0;
        for (int k = 0; k < n; k++)
        {
            PixelRect local = _batch[k].Local;
            PixelRect desktop = _batch[k].Desktop;
            int left = cut ? LeftOfTileColumn(local, tiles.TileSize) : 0;
            if (left > 0)
            {
                _batchRects[m++] = new BatchRect(local.X, local.Y, left, local.Height, desktop.X, desktop.Y);
                _batchRects[m++] = new BatchRect(local.X + left, local.Y, local.Width - left, local.Height, desktop.X + left, desktop.Y);
            }
            else
            {
                _batchRects[m++] = new BatchRect(local.X, local.Y, local.Width, local.Height, desktop.X, desktop.Y);
            }
        }

        int count = encoder.EncodeBatch(head, _batchRects.AsSpan(0, m), translator, settings, output, _batchLossy.AsSpan(0, m));
        for (int k = 0, j = 0; k < n; k++)
        {
            PixelRect local = _batch[k].Local;
            bool lossy = _batchLossy[j++];
            if (cut && LeftOfTileColumn(local, tiles.TileSize) > 0)
            {
                lossy |= _batchLossy[j++];
            }

            TrackLossy(state, tiles, local, lossy);
        }

        _batch.Clear();
        return count;
    }

    /// <summary>
    /// Most compressed bytes per pixel of the session's last ZRLE call for its content to count as
    /// flat (<see cref="SendBoundingBoxIfDense"/>): on the recorded traces glxgears, xterm_scroll
    /// and xterm_scroll_paced send 0.07–0.15, video (a test pattern in motion, photo-like) 0.7.
    /// </summary>
    private const double FlatBytesPerPixel = 0.25;

    /// <summary>At most this many times the pixels of a head's rectangles in their bounding box (<see cref="SendBoundingBoxIfDense"/>).</summary>
    private const int MaxBoundingBoxRatio = 3;

    // Whether the last ZRLE call of this session sent flat content (FlatBytesPerPixel).
    private bool FlatZrleContent()
        => _encoders.TryGetValue(EncodingType.Zrle, out IRectangleEncoder? encoder) && encoder is ZrleEncoder zrle && zrle.LastBytesPerPixel <= FlatBytesPerPixel;

    /// <summary>
    /// For ZRLE on flat content, with no CopyRect for the head in this update: replaces the head's
    /// rectangles by their bounding box when it holds at most <see cref="MaxBoundingBoxRatio"/>
    /// times their pixels. One rectangle costs one header and one zlib flush, its tiles keep
    /// their places from update to update, and the unchanged tiles in it repeat bytes the zlib
    /// stream sent in the previous update, within its 32 KiB window, so they cost almost nothing.
    /// Measured with TraceBench (ZRLE, <c>--pace max</c>, single runs, docs/performance.md):
    /// glxgears 8.13 → 6.76 MB and 2.53 → 1.63 ms of CPU per update (every update took its
    /// bounding box), xterm_scroll 12.92 → 12.87 MB, video and xterm_scroll_paced unchanged. At
    /// five times instead of three video updates took it (+0.3%); on content that is costly to
    /// send (a photo, a video: <see cref="FlatBytesPerPixel"/>) the pixels in between would cost
    /// as much as the changed ones, so it is left to flat content. Blits are excluded because a
    /// bounding box over a blit's destination would send its pixels again (xterm_scroll_paced
    /// took nearly three times the bytes).
    /// </summary>
    private static void SendBoundingBoxIfDense(List<PixelRect> rects)
    {
        if (rects.Count < 2)
        {
            return;
        }

        PixelRect all = rects[0];
        long pixels = 0;
        foreach (PixelRect r in rects)
        {
            all = all.Union(r);
            pixels += r.Area;
        }

        if (all.Area <= MaxBoundingBoxRatio * pixels)
        {
            rects.Clear();
            rects.Add(all);
        }
    }

    /// <summary>
    /// Whether this update's rectangles are cut at tile columns (<see cref="LeftOfTileColumn"/>):
    /// for ZRLE, and without LastRect only while the count, up to twice as many planned
    /// rectangles, still fits the header.
    /// </summary>
    private static bool CutsAtTileColumns(IRectangleEncoder encoder, bool lastRect, int planned)
        => encoder.Encoding == EncodingType.Zrle && (lastRect || 2 * planned < ushort.MaxValue - 1);

    /// <summary>ZRLE's tile size (RFC 6143 §7.7.6): its tiles start at the rectangle's top-left corner.</summary>
    private const int ZrleTileSize = 64;

    /// <summary>
    /// For ZRLE: the width of the part of <paramref name="local"/> left of the first column of
    /// the head's damage tiles inside it, or 0 when it starts on a column or ends before the next
    /// one. The session's rectangles are built from per-tile boxes of the damage grid, and ZRLE
    /// cuts a rectangle into 64×64 tiles from its own corner; cut there, the rest of the rectangle
    /// has its ZRLE tiles on the damage tiles, so each holds one box rather than parts of two
    /// and the gap between them. Measured with TraceBench (ZRLE, <c>--pace max</c>, the four
    /// recorded traces, docs/performance.md): glxgears 8.67 → 8.36 MB, xterm_scroll 14.46 →
    /// 14.20, xterm_scroll_paced 8.50 → 8.39, video 25.26 → 25.22. Cut 16, 32 or 48 pixels off
    /// the columns instead, every trace took more bytes than with no cut at all, so it is the
    /// alignment with the damage tiles that pays, not the cut. Extending the rectangle left to
    /// the column instead sent more pixels and cost xterm_scroll 2.3%; cutting at rows as well
    /// gained nothing more. Rectangles as recorded by another server (EncoderBench encperf) are
    /// not built on this grid and only got larger when cut, so the cut is the session's, not the
    /// encoder's.
    /// </summary>
    private static int LeftOfTileColumn(PixelRect local, int tileSize)
    {
        int left = (tileSize - (local.X % tileSize)) % tileSize;
        return left < local.Width ? left : 0;
    }

    private static int EncodeBlack(IRectangleEncoder encoder, PixelRect rect, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        int rows = Math.Max(1, s_black.Length / rect.Width);
        int count = 0;
        for (int y = rect.Y; y < rect.Bottom; y += rows)
        {
            int h = Math.Min(rows, rect.Bottom - y);
            var view = new PixelView(s_black, rect.Width, rect.Width, h);
            count += encoder.Encode(view, rect.X, y, translator, settings, output);
        }

        return count;
    }

    /// <summary>
    /// Pseudo-rectangles and the blits come first in an update: a resize applies before any pixels,
    /// and a blit reads the client's pixels before any are replaced.
    /// </summary>
    private void WritePseudoRectangles(in PseudoRects pseudo)
    {
        if (pseudo.DesktopSize)
        {
            ServerMessageWriter.WriteDesktopSize(_output, _clientWidth, _clientHeight);
        }

        if (pseudo.EdsReason >= 0)
        {
            ServerMessageWriter.WriteExtendedDesktopSize(_output, pseudo.EdsReason, pseudo.EdsStatus, pseudo.Width, pseudo.Height, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_screens));
        }

        if (pseudo.DesktopName)
        {
            ServerMessageWriter.WriteDesktopName(_output, _server.DesktopName);
        }

        if (pseudo.KeyAck)
        {
            ServerMessageWriter.WriteQemuExtendedKeyEventAck(_output);
        }

        WriteCursorShapeIfDue();

        foreach ((PixelRect destination, int sourceX, int sourceY) in _copyPlan)
        {
            ServerMessageWriter.WriteCopyRect(_output, destination, sourceX, sourceY);
        }
    }

    private IRectangleEncoder EncoderFor(int encoding)
    {
        if (!_encoders.TryGetValue(encoding, out IRectangleEncoder? encoder))
        {
            encoder = _options.EncoderFactoryForTests?.Invoke(encoding) ?? EncoderCatalog.Create(encoding);
            _encoders[encoding] = encoder;
        }

        return encoder;
    }

    /// <summary>
    /// Picks the guest's blits since this client's last update that the client can repeat, in
    /// order, into <c>_usableCopies</c>. It follows, per tile, what the client's copy of that
    /// tile will show once the blits are applied: the head as it was at a generation
    /// (<c>ClientGeneration</c>) except inside a box of pixels that may differ (kept in
    /// <c>Owed</c>; at first the generation last seen and what is owed already).
    /// </summary>
    /// <remarks>
    /// A blit is usable when both places lie inside the request and the client's framebuffer.
    /// The client's source may be partly wrong (a line drawn there that the client has not been
    /// sent yet): the wrong parts move with the blit and are owed at the destination, as
    /// libvncserver moves its modified region; a blit whose whole source would be wrong is not
    /// used. A tile the blit covers whole then shows the blit's generation. So does a tile it
    /// covers in part, and a tile a skipped blit changed (with the changed part owed). When a
    /// refresh changed such a tile between its generation and this blit (the console stamps each
    /// refresh and each blit with a generation of its own and lists every recent blit, so a
    /// generation between two listed blits is a refresh), what the refresh changed, from the
    /// tile's history, joins the box first: a client a frame or two behind a scrolling terminal
    /// is sent the new lines where the blits took them, not the tiles the blits covered in part.
    /// Returns whether it followed the blits (there were new ones and none was dropped), whether
    /// or not any is usable; the caller then adds to each tile's owed box what changed since the
    /// generation it shows.
    /// </remarks>
    private bool PlanCopies(HeadState state, in ShadowReadScope shadow, PixelRect incremental, PixelRect visible)
    {
        IReadOnlyList<ConsoleCopy> copies = shadow.RecentCopies;
        long seen = state.SeenGeneration;
        int first = -1;
        for (int i = 0; i < copies.Count; i++)
        {
            if (copies[i].Generation > seen)
            {
                first = i;
                break;
            }
        }

        // None new, or the console may have dropped older ones this client has not seen.
        if (first < 0 || (first == 0 && copies.Count >= DisplayConsole.MaxRecentCopies))
        {
            return false;
        }

        TileGrid tiles = shadow.Tiles;
        Span<long> held = state.ClientGeneration;
        Span<PixelRect> wrong = state.Owed;
        Span<PixelRect> moved = state.ToSend;
        held.Fill(seen);
        long previous = seen;
        long lastRefresh = seen; // the newest generation after seen, and before this blit, that is a refresh
        for (int k = first; k < copies.Count; k++)
        {
            ConsoleCopy c = copies[k];
            if (c.Generation > previous + 1)
            {
                lastRefresh = c.Generation - 1;
            }

            previous = c.Generation;
            PixelRect s = c.Source, d = c.Destination;
            if (!tiles.TryGetTileRange(d, out int dc0, out int dc1, out int dr0, out int dr1))
            {
                continue;
            }

            for (int r = dr0; r <= dr1; r++)
            {
                moved.Slice(r * tiles.Columns + dc0, dc1 - dc0 + 1).Clear();
            }

            bool usable = incremental.Contains(d) && visible.Contains(d) && visible.Contains(s);
            if (usable && tiles.TryGetTileRange(s, out int sc0, out int sc1, out int sr0, out int sr1))
            {
                // The parts of the source the client may show wrong, moved to the destination.
                int dx = d.X - s.X, dy = d.Y - s.Y;
                long wrongArea = 0;
                for (int r = sr0; r <= sr1; r++)
                {
                    for (int col = sc0; col <= sc1; col++)
                    {
                        int t = r * tiles.Columns + col;
                        PixelRect part = SourceWrong(tiles, t, held[t], wrong[t], c, lastRefresh).Intersect(s);
                        if (!part.IsEmpty)
                        {
                            wrongArea += part.Area;
                            tiles.AddArea(part with { X = part.X + dx, Y = part.Y + dy }, moved);
                        }
                    }
                }

                usable = wrongArea < s.Area;
            }

            for (int r = dr0; r <= dr1; r++)
            {
                for (int col = dc0; col <= dc1; col++)
                {
                    int index = r * tiles.Columns + col;
                    PixelRect tile = tiles.TileBounds(index);
                    PixelRect covered = tile.Intersect(d);
                    if (usable && covered == tile)
                    {
                        held[index] = c.Generation;
                        wrong[index] = moved[index];
                    }
                    else
                    {
                        // The tile shows this blit's generation from now on. If a refresh changed
                        // it since the generation it showed (otherwise only listed blits did),
                        // what that changed, from the tile's history, joins the box first.
                        PixelRect prior = lastRefresh <= held[index] ? wrong[index] : wrong[index].Union(tiles.ChangedBetween(index, held[index], c.Generation));
                        PixelRect kept = usable && d.Contains(prior) ? default : prior;
                        held[index] = c.Generation;
                        wrong[index] = kept.Union(usable ? moved[index] : covered);
                    }
                }
            }

            if (usable)
            {
                _usableCopies.Add(c);
            }
        }

        return true;
    }

    /// <summary>
    /// The pixels of tile <paramref name="index"/> that may differ, on a client that shows the
    /// tile as of generation <paramref name="held"/> except inside <paramref name="wrong"/>,
    /// from the tile as it was when blit <paramref name="copy"/> read it.
    /// </summary>
    private static PixelRect SourceWrong(TileGrid tiles, int index, long held, PixelRect wrong, ConsoleCopy copy, long lastRefresh)
    {
        long current = tiles.TileGeneration(index);
        if (lastRefresh <= held || current <= held || held >= copy.SourceGeneration)
        {
            // Nothing but blits already followed changed the head since the client's generation;
            // or the tile has not changed since; or it last changed before the blit at or before
            // the client's generation (the source's newest generation at the blit bounds every
            // source tile's).
            return wrong;
        }

        // What changed the tile between the client's generation and the blit, from the tile's
        // history (the whole tile when it no longer reaches back that far). Later changes, the
        // following blits of the same update among them, do not matter.
        return wrong.Union(tiles.ChangedBetween(index, held, copy.Generation));
    }

    private static PixelRect Offset(PixelRect r, int dx, int dy) => r.IsEmpty ? default : r with { X = r.X + dx, Y = r.Y + dy };

    /// <summary>What this session keeps per head: the tiles it owes and the state it last saw.</summary>
    private sealed class HeadState(DesktopHead head)
    {
        /// <summary>Tiles whose last pixels reached the client lossily (JPEG) and are owed a lossless copy.</summary>
        public bool[] Lossy { get; set; } = Array.Empty<bool>();

        public bool AnyLossy { get; set; }

        public DesktopHead Head { get; } = head;

        /// <summary>Per tile, the bounds of the pixels the client lacks (empty: none): a few bytes per tile, never pixels.</summary>
        public PixelRect[] Owed { get; set; } = Array.Empty<PixelRect>();

        public PixelRect[] ToSend { get; set; } = Array.Empty<PixelRect>();

        /// <summary>Scratch for <see cref="PlanCopies"/>: the generation each tile will show on the client.</summary>
        public long[] ClientGeneration { get; set; } = Array.Empty<long>();

        public long SeenGeneration { get; set; }

        public long SeenSurfaceSerial { get; set; } = -1;
    }

    /// <summary>A rectangle to send: where it goes in the desktop, where it is in its head (null: black), in plan order.</summary>
    private readonly record struct PlannedRect(PixelRect Desktop, PixelRect Local, HeadState? Head, long Serial, int Order);

    private readonly record struct PseudoRects(bool DesktopSize, int EdsReason, int EdsStatus, int Width, int Height, bool DesktopName, bool KeyAck);
}
