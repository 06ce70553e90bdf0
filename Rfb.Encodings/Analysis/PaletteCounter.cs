using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// Whether <see cref="TryIndex"/> looks up every pixel of a group of eight that does not all
    /// continue the run, without first comparing it with the pixel before (true, the default);
    /// false skips the lookup where a pixel repeats the one before, for the benchmark's baseline
    /// (EncoderBench <c>PaletteCounterBenchmarks</c>) and the tests.
    /// </summary>
    internal bool LookUpMixedGroups { get; set; } = true;

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
        ref uint keys = ref MemoryMarshal.GetArrayDataReference(_keys);
        ref byte slotIndex = ref MemoryMarshal.GetArrayDataReference(_slotIndex);
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

                if (LookUpMixedGroups)
                {
                    // Eight pixels that do not all continue the run (the edges of text, shading):
                    // each is looked up. Whether a pixel repeats the one before is a branch the
                    // processor mispredicts often here, while the colour's first slot in the table
                    // holds it almost always, so looking up even a repeat is cheaper.
                    for (; x < end; x++, k++)
                    {
                        uint p = Unsafe.Add(ref pixels, x) & 0x00FF_FFFF;
                        int slot = (int)((p * 0x9E37_79B1u) >> (32 - SlotBits));
                        int index;
                        if (Unsafe.Add(ref keys, slot) == p)
                        {
                            index = Unsafe.Add(ref slotIndex, slot);
                        }
                        else
                        {
                            index = Lookup(p, maxColours);
                            if (index < 0)
                            {
                                return false;
                            }
                        }

                        previous = p;
                        previousIndex = (byte)index;
                        Unsafe.Add(ref output, k) = previousIndex;
                    }

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

        Remap(indices, remap, colours.Length, VectorRemap ? RemapPath.Best : RemapPath.Scalar);
    }

    /// <summary>
    /// Whether <see cref="SortByValue"/> renumbers the indices with table lookups of 64 or 16 at
    /// once where the processor has them (true, the default); false renumbers one at a time, for
    /// the benchmark's baseline (EncoderBench <c>PaletteCounterBenchmarks</c>) and the tests.
    /// </summary>
    internal bool VectorRemap { get; set; } = true;

    /// <summary>How <see cref="Remap"/> looks indices up (the tests force each one that the processor has).</summary>
    internal enum RemapPath
    {
        /// <summary>The fastest the processor has.</summary>
        Best,

        /// <summary>One index at a time.</summary>
        Scalar,

        /// <summary>16 at a time (Vector128.Shuffle); palettes of at most 16 colours only.</summary>
        Vector128,

        /// <summary>64 at a time (AVX-512 VBMI's vpermb and vpermi2b).</summary>
        Avx512Vbmi,
    }

    /// <summary>
    /// Replaces each index <c>i</c> (below <paramref name="count"/>) in <paramref name="indices"/>
    /// with <c>table[i]</c>. With AVX-512 VBMI, 64 indices are looked up at once in a table of up
    /// to 256 entries held in registers (one vpermb up to 64 colours, one vpermi2b up to 128, two
    /// and a select up to 256); elsewhere, palettes of at most 16 colours take 16 at once
    /// (pshufb, or tbl on Arm); the rest goes one at a time.
    /// </summary>
    internal static void Remap(Span<byte> indices, ReadOnlySpan<byte> table, int count, RemapPath path)
    {
        if (path == RemapPath.Best)
        {
            path = Avx512Vbmi.IsSupported ? RemapPath.Avx512Vbmi
                : count <= Vector128<byte>.Count && Vector128.IsHardwareAccelerated ? RemapPath.Vector128
                : RemapPath.Scalar;
        }

        int k = 0;
        ref byte start = ref MemoryMarshal.GetReference(indices);
        if (path == RemapPath.Avx512Vbmi)
        {
            Span<byte> padded = stackalloc byte[MaxColours];
            table[..count].CopyTo(padded);
            ref byte t = ref MemoryMarshal.GetReference(padded);
            Vector512<byte> t0 = Vector512.LoadUnsafe(ref t);
            Vector512<byte> t1 = Vector512.LoadUnsafe(ref t, 64);
            Vector512<byte> t2 = Vector512.LoadUnsafe(ref t, 128);
            Vector512<byte> t3 = Vector512.LoadUnsafe(ref t, 192);
            for (; k + Vector512<byte>.Count <= indices.Length; k += Vector512<byte>.Count)
            {
                Vector512<byte> v = Vector512.LoadUnsafe(ref start, (nuint)k);
                Vector512<byte> r;
                if (count <= 64)
                {
                    r = Avx512Vbmi.PermuteVar64x8(t0, v);
                }
                else if (count <= 128)
                {
                    r = Avx512Vbmi.PermuteVar64x8x2(t0, v, t1);
                }
                else
                {
                    Vector512<byte> low = Avx512Vbmi.PermuteVar64x8x2(t0, v, t1);
                    Vector512<byte> high = Avx512Vbmi.PermuteVar64x8x2(t2, v, t3);
                    r = Vector512.ConditionalSelect(Vector512.LessThan(v.AsSByte(), Vector512<sbyte>.Zero).AsByte(), high, low);
                }

                r.StoreUnsafe(ref start, (nuint)k);
            }
        }
        else if (path == RemapPath.Vector128)
        {
            if (count > Vector128<byte>.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "A 16-entry lookup takes at most 16 colours.");
            }

            Span<byte> padded = stackalloc byte[Vector128<byte>.Count];
            table[..count].CopyTo(padded);
            Vector128<byte> t = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(padded));
            for (; k + Vector128<byte>.Count <= indices.Length; k += Vector128<byte>.Count)
            {
                Vector128.Shuffle(t, Vector128.LoadUnsafe(ref start, (nuint)k)).StoreUnsafe(ref start, (nuint)k);
            }
        }

        for (; k < indices.Length; k++)
        {
            indices[k] = table[indices[k]];
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
