using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>
    /// Whether <see cref="TryIndex"/> takes eight pixels at once where they all continue the
    /// current run (true, the default); false looks at every pixel alone, for the benchmark's
    /// baseline (EncoderBench <c>PaletteCounterBenchmarks</c>) and the tests.
    /// </summary>
    internal bool VectorRuns { get; set; } = true;

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
        ref byte output = ref MemoryMarshal.GetReference(indices);
        for (int y = 0; y < view.Height; y++)
        {
            ReadOnlySpan<uint> row = view.Row(y);
            ref uint pixels = ref MemoryMarshal.GetReference(row);
            int x = 0;
            while (x < row.Length)
            {
                // Eight pixels at once where they all continue the current run (the background
                // of text, flat areas): one compare and one store instead of eight.
                int end = Math.Min(row.Length, x + Vector256<uint>.Count);
                if (VectorRuns && Vector256.IsHardwareAccelerated && end - x == Vector256<uint>.Count
                    && (Vector256.LoadUnsafe(ref pixels, (nuint)x) & Vector256.Create(0x00FF_FFFFu)) == Vector256.Create(previous))
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref output, k), previousIndex * 0x0101_0101_0101_0101UL);
                    x += Vector256<uint>.Count;
                    k += Vector256<uint>.Count;
                    continue;
                }

                for (; x < end; x++, k++)
                {
                    uint p = Unsafe.Add(ref pixels, x) & 0x00FF_FFFF;
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

                    Unsafe.Add(ref output, k) = previousIndex;
                }
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
