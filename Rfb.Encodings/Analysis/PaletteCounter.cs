using System.Runtime.CompilerServices;

namespace Rfb.Encodings.Analysis;

/// <summary>
/// Counts the colours of a rectangle up to a limit and, in the same pass, writes each pixel's
/// palette index. It stops as soon as the limit is passed, so a many-coloured rectangle costs
/// only the pixels read until then. One instance per encoder; reusing it allocates nothing.
/// </summary>
/// <remarks>
/// The palette lives in an open-addressing hash table of 1024 slots (at most 256 colours, so at
/// most a quarter full). Runs of equal pixels, the common case in desktop content, skip the
/// lookup. Colours are compared on their low 24 bits (the canonical top byte is zero).
/// </remarks>
internal sealed class PaletteCounter
{
    /// <summary>The most colours a palette can hold (Tight's limit).</summary>
    public const int MaxColours = 256;

    private const int SlotBits = 10;
    private const int SlotMask = (1 << SlotBits) - 1;
    private const uint Empty = 0xFFFF_FFFF;

    private readonly uint[] _keys = new uint[1 << SlotBits];
    private readonly byte[] _slotIndex = new byte[1 << SlotBits];
    private readonly uint[] _colours = new uint[MaxColours];
    private int _count;

    /// <summary>The number of colours found by the last successful <see cref="TryIndex"/>.</summary>
    public int Count => _count;

    /// <summary>The palette found by the last successful <see cref="TryIndex"/>, in order of first appearance.</summary>
    public ReadOnlySpan<uint> Colours => _colours.AsSpan(0, _count);

    /// <summary>
    /// Builds the palette of <paramref name="view"/> and writes one index byte per pixel, row
    /// after row, into <paramref name="indices"/>. Returns false as soon as the rectangle has more
    /// than <paramref name="maxColours"/> colours (the indices are then incomplete).
    /// </summary>
    public bool TryIndex(PixelView view, int maxColours, Span<byte> indices)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxColours, MaxColours);
        ArgumentOutOfRangeException.ThrowIfLessThan(indices.Length, view.Width * view.Height);
        _keys.AsSpan().Fill(Empty);
        _count = 0;

        uint previous = Empty;
        byte previousIndex = 0;
        int k = 0;
        for (int y = 0; y < view.Height; y++)
        {
            ReadOnlySpan<uint> row = view.Row(y);
            for (int x = 0; x < row.Length; x++, k++)
            {
                uint p = row[x] & 0x00FF_FFFF;
                if (p != previous)
                {
                    int index = Lookup(p, maxColours);
                    if (index < 0)
                    {
                        return false;
                    }

                    previous = p;
                    previousIndex = (byte)index;
                }

                indices[k] = previousIndex;
            }
        }

        return true;
    }

    /// <summary>
    /// Orders the palette by colour value and renumbers <paramref name="indices"/> to match, so the
    /// same colours get the same indices in every rectangle (zlib then finds repeats across
    /// rectangles of similar content, such as text).
    /// </summary>
    public void SortByValue(Span<byte> indices)
    {
        Span<uint> colours = _colours.AsSpan(0, _count);
        Span<byte> order = stackalloc byte[MaxColours];
        for (int i = 0; i < colours.Length; i++)
        {
            order[i] = (byte)i;
        }

        colours.Sort(order[..colours.Length]);
        Span<byte> remap = stackalloc byte[MaxColours];
        bool identity = true;
        for (int i = 0; i < colours.Length; i++)
        {
            remap[order[i]] = (byte)i;
            identity &= order[i] == i;
        }

        if (identity)
        {
            return;
        }

        for (int k = 0; k < indices.Length; k++)
        {
            indices[k] = remap[indices[k]];
        }
    }

    /// <summary>The index of <paramref name="p"/>, adding it when new; -1 when the palette is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Lookup(uint p, int maxColours)
    {
        int slot = (int)((p * 0x9E37_79B1u) >> (32 - SlotBits));
        while (true)
        {
            uint key = _keys[slot];
            if (key == p)
            {
                return _slotIndex[slot];
            }

            if (key == Empty)
            {
                if (_count == maxColours)
                {
                    return -1;
                }

                _keys[slot] = p;
                _slotIndex[slot] = (byte)_count;
                _colours[_count] = p;
                return _count++;
            }

            slot = (slot + 1) & SlotMask;
        }
    }
}
