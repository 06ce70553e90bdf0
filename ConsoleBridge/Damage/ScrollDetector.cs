using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ConsoleBridge.Damage;

/// <summary>
/// Finds content that moved vertically inside a damaged area, for guests that scroll by redrawing
/// (a terminal's jump scroll, a text console, a browser page) instead of reporting a blit: the rows
/// of the guest's surface are matched against the rows of the console's shadow, and every long run
/// of rows that now shows, exactly, what the shadow held some rows lower (or higher) becomes a move
/// that readers repeat with CopyRect instead of receiving the pixels again.
/// </summary>
/// <remarks>
/// <para>
/// Each row of the area (its columns only) is hashed in the guest and in the shadow. Rows whose
/// hash occurs once in the shadow vote for the offset between their place in the guest and in the
/// shadow; the offset with the most votes is then checked row by row, pixel for pixel, so a hash
/// collision can cost time but never a wrong move. Only vertical moves of whole rows of the area
/// are found (what terminals and pages do), and only in 32-bit surfaces whose top byte is not
/// colour (XRGB8888, ARGB8888), which are compared without their top byte as the refresh does.
/// </para>
/// <para>
/// Hashing both images costs about two reads of the area. Areas where the search finds nothing
/// (video, a 3D scene) back off: after a miss the next 1, 3, 7, then 15 large areas are not
/// searched, so such content pays for about one search in sixteen refreshes.
/// </para>
/// <para>Not thread-safe: used by its console under the refresh lock.</para>
/// </remarks>
internal sealed class ScrollDetector
{
    /// <summary>The least area (pixels of the pending damage's bounding box) worth a search.</summary>
    public const int MinArea = 64 * 1024;

    /// <summary>The least height and width of the area worth a search.</summary>
    public const int MinSide = 64;

    /// <summary>The least rows one move covers.</summary>
    public const int MinRunRows = 16;

    /// <summary>The least rows, moved and changed in place, that must agree on an offset.</summary>
    public const int MinVotes = 4;

    /// <summary>The most moves one search makes (a pointer drawn into the moved text splits it into runs and parts of rows).</summary>
    public const int MaxRuns = 8;

    /// <summary>The least width of a part of rows moved beside something that did not move (a pointer).</summary>
    public const int MinPartWidth = 64;

    private const int MaxBackoffShift = 4;
    private const uint ColourMask = 0x00FF_FFFFu;

    private readonly Dictionary<ulong, int> _shadowRowOf = new();
    private readonly Dictionary<int, int> _votes = new();
    private ulong[] _guestHashes = [];
    private ulong[] _shadowHashes = [];
    private bool[] _matches = [];
    private int _misses;
    private int _skip;

    /// <summary>Searches done (for tests and the benchmark).</summary>
    public long Searches { get; private set; }

    /// <summary>Moves found (for tests and the benchmark).</summary>
    public long MovesFound { get; private set; }

    /// <summary>Whether an area of this size is worth a search now; counts the skipped areas of the back-off.</summary>
    public bool ShouldSearch(PixelRect area, long damagedPixels)
    {
        if (area.Width < MinSide || area.Height < MinSide || area.Area < MinArea || damagedPixels * 4 < area.Area)
        {
            return false;
        }

        if (_skip > 0)
        {
            _skip--;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Searches <paramref name="area"/> for rows of <paramref name="guest"/> (32-bit pixels, top
    /// byte ignored) that equal rows of <paramref name="shadow"/> (canonical, top byte zero) at one
    /// vertical offset, and adds the moves to <paramref name="moves"/> in the order they must be
    /// applied (each reads shadow rows no earlier move has written). Returns whether it found any.
    /// </summary>
    public bool Search(GuestSurface guest, uint[] shadow, int shadowWidth, PixelRect area, List<ScrollMove> moves)
    {
        Searches++;
        int h = area.Height, w = area.Width;
        if (_guestHashes.Length < h)
        {
            _guestHashes = new ulong[h];
            _shadowHashes = new ulong[h];
        }

        Span<ulong> guestHashes = _guestHashes.AsSpan(0, h);
        Span<ulong> shadowHashes = _shadowHashes.AsSpan(0, h);
        for (int r = 0; r < h; r++)
        {
            guestHashes[r] = RowHash(GuestRow(guest, area, r));
            shadowHashes[r] = RowHash(shadow.AsSpan((area.Y + r) * shadowWidth + area.X, w));
        }

        int offset = BestOffset(guestHashes, shadowHashes);
        int found = offset == 0 ? 0 : AddRuns(guest, shadow, shadowWidth, area, offset, moves);
        if (found == 0)
        {
            _misses = Math.Min(_misses + 1, MaxBackoffShift);
            _skip = (1 << _misses) - 1;
            return false;
        }

        _misses = 0;
        _skip = 0;
        MovesFound += found;
        return true;
    }

    /// <summary>
    /// A hash of a row's pixels without their top byte: equal rows hash equal; different rows
    /// rarely do (every match is checked pixel for pixel afterwards).
    /// </summary>
    internal static ulong RowHash(ReadOnlySpan<uint> row)
    {
        ref uint p = ref MemoryMarshal.GetReference(row);
        int n = row.Length;
        int i = 0;
        ulong hash = 0xCBF2_9CE4_8422_2325UL ^ (ulong)n;
        if (Vector256.IsHardwareAccelerated && n >= 4 * Vector256<uint>.Count)
        {
            // Four independent lanes of multiply-mix, so the multiplications overlap.
            Vector256<uint> mask = Vector256.Create(ColourMask);
            Vector256<uint> k = Vector256.Create(0x9E37_79B1u);
            Vector256<uint> a0 = Vector256.Create(0x8595_2B5Fu), a1 = Vector256.Create(0x27D4_EB2Fu);
            Vector256<uint> a2 = Vector256.Create(0x1656_67B1u), a3 = Vector256.Create(0xC2B2_AE3Du);
            for (; i + (4 * Vector256<uint>.Count) <= n; i += 4 * Vector256<uint>.Count)
            {
                a0 = (a0 ^ (Vector256.LoadUnsafe(ref p, (nuint)i) & mask)) * k;
                a1 = (a1 ^ (Vector256.LoadUnsafe(ref p, (nuint)(i + 8)) & mask)) * k;
                a2 = (a2 ^ (Vector256.LoadUnsafe(ref p, (nuint)(i + 16)) & mask)) * k;
                a3 = (a3 ^ (Vector256.LoadUnsafe(ref p, (nuint)(i + 24)) & mask)) * k;
                a0 ^= Vector256.ShiftRightLogical(a0, 15);
                a1 ^= Vector256.ShiftRightLogical(a1, 15);
                a2 ^= Vector256.ShiftRightLogical(a2, 15);
                a3 ^= Vector256.ShiftRightLogical(a3, 15);
            }

            Vector256<ulong> lo = Vector256.WidenLower(a0) + (Vector256.WidenUpper(a1) * 31UL) + (Vector256.WidenLower(a2) * 961UL) + (Vector256.WidenUpper(a3) * 29791UL);
            Vector256<ulong> hi = Vector256.WidenUpper(a0) + (Vector256.WidenLower(a1) * 37UL) + (Vector256.WidenUpper(a2) * 1369UL) + (Vector256.WidenLower(a3) * 50653UL);
            for (int lane = 0; lane < Vector256<ulong>.Count; lane++)
            {
                hash = Mix(hash ^ lo.GetElement(lane));
                hash = Mix(hash ^ hi.GetElement(lane));
            }
        }

        for (; i < n; i++)
        {
            hash = Mix(hash ^ (Unsafe.Add(ref p, i) & ColourMask));
        }

        return hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x *= 0x9E37_79B9_7F4A_7C15UL;
        return x ^ (x >> 29);
    }

    private static ReadOnlySpan<uint> GuestRow(GuestSurface guest, PixelRect area, int r)
        => MemoryMarshal.Cast<byte, uint>(guest.Row(area.Y + r, area.X, area.Width));

    /// <summary>
    /// The offset (shadow row minus guest row) that most changed rows agree on, counting only rows
    /// whose content occurs once in the shadow; 0 when no offset has <see cref="MinVotes"/>.
    /// </summary>
    private int BestOffset(ReadOnlySpan<ulong> guestHashes, ReadOnlySpan<ulong> shadowHashes)
    {
        Dictionary<ulong, int> rowOf = _shadowRowOf;
        rowOf.Clear();
        for (int r = 0; r < shadowHashes.Length; r++)
        {
            // -1 marks content the shadow holds more than once (blank rows): no vote from it.
            if (!rowOf.TryAdd(shadowHashes[r], r))
            {
                rowOf[shadowHashes[r]] = -1;
            }
        }

        Dictionary<int, int> votes = _votes;
        votes.Clear();
        for (int r = 0; r < guestHashes.Length; r++)
        {
            if (guestHashes[r] != shadowHashes[r] && rowOf.TryGetValue(guestHashes[r], out int s) && s >= 0)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(votes, s - r, out _)++;
            }
        }

        int best = 0, bestVotes = MinVotes - 1;
        foreach ((int offset, int count) in votes)
        {
            if (count > bestVotes || (count == bestVotes && best != 0 && Math.Abs(offset) < Math.Abs(best)))
            {
                best = offset;
                bestVotes = count;
            }
        }

        return best;
    }

    /// <summary>
    /// Adds the moves for <paramref name="offset"/>: every run of at least
    /// <see cref="MinRunRows"/> rows that equal, pixel for pixel, the shadow's rows
    /// <paramref name="offset"/> rows away and change at least <see cref="MinVotes"/> rows in
    /// place moves whole; the rows between, before and after such runs (where something drawn on
    /// top, a pointer, did not move with them) move in their columns left and right of every
    /// difference (<see cref="AddAround"/>). Returns how many moves it added; none without a
    /// whole run.
    /// </summary>
    private int AddRuns(GuestSurface guest, uint[] shadow, int shadowWidth, PixelRect area, int offset, List<ScrollMove> moves)
    {
        ReadOnlySpan<ulong> guestHashes = _guestHashes.AsSpan(0, area.Height);
        ReadOnlySpan<ulong> shadowHashes = _shadowHashes.AsSpan(0, area.Height);
        int first = Math.Max(0, -offset);
        int end = Math.Min(area.Height, area.Height - offset);
        if (_matches.Length < area.Height)
        {
            _matches = new bool[area.Height];
        }

        Span<bool> matches = _matches.AsSpan(0, area.Height);
        for (int r = first; r < end; r++)
        {
            matches[r] = guestHashes[r] == shadowHashes[r + offset]
                && RowsEqual(GuestRow(guest, area, r), ShadowRow(shadow, shadowWidth, area, r + offset));
        }

        int start = moves.Count;
        int blockStart = first;
        int row = first;
        while (row < end)
        {
            if (!matches[row])
            {
                row++;
                continue;
            }

            int runStart = row, changed = 0;
            for (; row < end && matches[row]; row++)
            {
                if (guestHashes[row] != shadowHashes[row])
                {
                    changed++;
                }
            }

            if (row - runStart >= MinRunRows && changed >= MinVotes && moves.Count - start < MaxRuns)
            {
                AddAround(guest, shadow, shadowWidth, area, offset, blockStart, runStart, moves, start);
                moves.Add(Move(area, offset, runStart, row - runStart, 0, area.Width));
                blockStart = row;
            }
        }

        if (moves.Count == start)
        {
            return 0;
        }

        AddAround(guest, shadow, shadowWidth, area, offset, blockStart, end, moves, start);

        // Moving content down reads rows above each destination: apply the lowest move first so
        // no move reads a row an earlier one wrote (upward moves are found top down already).
        if (offset < 0)
        {
            moves.Reverse(start, moves.Count - start);
        }

        return moves.Count - start;
    }

    /// <summary>
    /// For rows <paramref name="top"/> to <paramref name="bottom"/> (exclusive) beside a whole-row
    /// move: the columns left of the first and right of the last pixel that differs from the
    /// shadow's rows <paramref name="offset"/> away, in any of these rows, equal them exactly;
    /// each such part at least <see cref="MinPartWidth"/> wide that changes something in place
    /// moves too.
    /// </summary>
    private static void AddAround(GuestSurface guest, uint[] shadow, int shadowWidth, PixelRect area, int offset, int top, int bottom, List<ScrollMove> moves, int start)
    {
        if (bottom <= top)
        {
            return;
        }

        int left = area.Width, right = -1;
        for (int r = top; r < bottom && (left > 0 || right < area.Width - 1); r++)
        {
            ref uint g = ref MemoryMarshal.GetReference(GuestRow(guest, area, r));
            ref uint s = ref MemoryMarshal.GetReference(ShadowRow(shadow, shadowWidth, area, r + offset));
            int firstDifference = DisplayConsole.FirstMaskedDifference(ref g, ref s, 0, area.Width);
            if (firstDifference >= 0)
            {
                left = Math.Min(left, firstDifference);
                right = Math.Max(right, DisplayConsole.LastMaskedDifference(ref g, ref s, firstDifference, area.Width));
            }
        }

        if (right < 0)
        {
            AddPart(guest, shadow, shadowWidth, area, offset, top, bottom, 0, area.Width, moves, start);
            return;
        }

        AddPart(guest, shadow, shadowWidth, area, offset, top, bottom, 0, left, moves, start);
        AddPart(guest, shadow, shadowWidth, area, offset, top, bottom, right + 1, area.Width - right - 1, moves, start);
    }

    private static void AddPart(GuestSurface guest, uint[] shadow, int shadowWidth, PixelRect area, int offset, int top, int bottom, int x, int width, List<ScrollMove> moves, int start)
    {
        if (width < MinPartWidth || moves.Count - start >= MaxRuns)
        {
            return;
        }

        for (int r = top; r < bottom; r++)
        {
            if (!RowsEqual(GuestRow(guest, area, r).Slice(x, width), ShadowRow(shadow, shadowWidth, area, r).Slice(x, width)))
            {
                moves.Add(Move(area, offset, top, bottom - top, x, width));
                return;
            }
        }
    }

    private static ScrollMove Move(PixelRect area, int offset, int row, int height, int x, int width)
        => new(new PixelRect(area.X + x, area.Y + row + offset, width, height), new PixelRect(area.X + x, area.Y + row, width, height));

    private static ReadOnlySpan<uint> ShadowRow(uint[] shadow, int shadowWidth, PixelRect area, int r)
        => shadow.AsSpan((area.Y + r) * shadowWidth + area.X, area.Width);

    /// <summary>Whether a guest row (top byte ignored) equals a canonical shadow row of the same length.</summary>
    private static bool RowsEqual(ReadOnlySpan<uint> guest, ReadOnlySpan<uint> shadow)
        => DisplayConsole.FirstMaskedDifference(ref MemoryMarshal.GetReference(guest), ref MemoryMarshal.GetReference(shadow), 0, guest.Length) < 0;
}

/// <summary>A move of shadow rows that a scroll search found: <see cref="Source"/>'s pixels now show at <see cref="Destination"/>.</summary>
internal readonly record struct ScrollMove(PixelRect Source, PixelRect Destination);
