using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Rfb.Encodings;

/// <summary>
/// Translates canonical pixels (XRGB8888 as 32-bit words, top byte zero) into one client's
/// <see cref="PixelFormat"/>. Create one per client format and reuse it: construction builds
/// lookup tables, translation allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// Each 8-bit canonical channel v becomes <c>(v * max + 127) / 255</c> in integer arithmetic:
/// v scaled to 0..max and rounded to the nearest value, so 0 stays 0, 255 becomes max, and the
/// error is at most half a step. (Truncating <c>v &gt;&gt; (8 - n)</c> would be cheaper but darkens
/// every colour and cannot scale to channels wider than 8 bits.) A max of 255 gives v unchanged.
/// </para>
/// <para>
/// Paths, chosen once per format: the canonical layout in the host's byte order is a block copy;
/// the canonical layout in the other byte order is a vectorised byte reversal; any other 32-bit
/// layout with 8-bit channels on byte boundaries is a byte shuffle; everything else (16-bit
/// RGB565/RGB555, 8-bit BGR233/RGB332, odd layouts) ORs three 256-entry tables of already
/// shifted channel values and writes the result in the client's byte order. The byte shuffles
/// and the packing of 3-byte CPIXELs/TPIXELs for byte-aligned formats use
/// <see cref="Vector128"/> when the hardware accelerates it, with scalar loops otherwise.
/// Measured on one x64 core: block copy about 0.05 ns a pixel, shuffles and 3-byte packing
/// 0.15 to 0.3 ns, table paths about 1.2 ns (scalar shuffle about 1.7 ns).
/// </para>
/// <para>
/// The fast paths pass the canonical top byte through, so it must be zero, as the canonical
/// format requires.
/// </para>
/// </remarks>
public sealed class PixelTranslator
{
    private const int ChunkPixels = 256;

    private readonly PixelFormat _format;
    private readonly Path _path;
    private readonly PixelFormat.CompactLayout _compactLayout;

    // Client byte order differs from the host's: numeric pixel values must be byte-reversed.
    private readonly bool _swap;

    // Path.Tables: [0..255] red, [256..511] green, [512..767] blue, each the scaled channel
    // value already shifted into place (numeric, host order).
    private readonly uint[]? _tables;

    // Path.Shuffle: channel shifts for the scalar loop, byte indices for the vector loop.
    private readonly int _redShift;
    private readonly int _greenShift;
    private readonly int _blueShift;
    private readonly Vector128<byte> _shuffle;
    private readonly bool _vectorShuffle;

    // Byte-aligned 8-bit channels (Path.CanonicalLayout or Path.Shuffle) on vector hardware:
    // indices that turn four canonical pixels into twelve CPIXEL or TPIXEL bytes.
    private readonly bool _vectorThreeBytes;
    private readonly Vector128<byte> _compactShuffle;
    private readonly Vector128<byte> _tightShuffle;

    /// <summary>Creates a translator into <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">The format fails <see cref="PixelFormat.TryValidate"/>.</exception>
    public PixelTranslator(PixelFormat format)
        : this(format, allowVectors: true)
    {
    }

    /// <summary>Creates a translator; <paramref name="allowVectors"/> false forces scalar loops (for tests).</summary>
    internal PixelTranslator(PixelFormat format, bool allowVectors)
    {
        if (!format.TryValidate(out string? reason))
        {
            throw new ArgumentException($"Unsupported pixel format: {reason}.", nameof(format));
        }

        _format = format;
        _compactLayout = format.CompactPixelLayout;
        _swap = format.BitsPerPixel > 8 && format.BigEndian == BitConverter.IsLittleEndian;

        bool eightBitChannels = format.BitsPerPixel == 32
            && format.RedMax == 255 && format.GreenMax == 255 && format.BlueMax == 255;
        if (eightBitChannels && format.RedShift == 16 && format.GreenShift == 8 && format.BlueShift == 0)
        {
            _path = Path.CanonicalLayout;
        }
        else if (eightBitChannels && IsByteShuffle(format))
        {
            _path = Path.Shuffle;
            _redShift = format.RedShift;
            _greenShift = format.GreenShift;
            _blueShift = format.BlueShift;
        }
        else
        {
            _path = Path.Tables;
            _tables = BuildTables(format);
        }

        // The vector loops read canonical words as bytes, so they need a little-endian host.
        if (_path != Path.Tables && allowVectors && Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            Span<int> sources = stackalloc int[4];
            WireByteSources(format, sources);
            _vectorShuffle = _path == Path.Shuffle;
            _shuffle = BuildShuffle(sources, 0, 4);

            // A CPIXEL is wire bytes 0..2 (little-endian and low, or big-endian and high) or 1..3.
            bool firstThree = format.BigEndian == (_compactLayout == PixelFormat.CompactLayout.MostSignificant);
            _compactShuffle = BuildShuffle(sources, firstThree ? 0 : 1, 3);
            _tightShuffle = BuildShuffle([2, 1, 0], 0, 3);
            _vectorThreeBytes = true;
        }
    }

    private enum Path
    {
        CanonicalLayout,
        Shuffle,
        Tables,
    }

    /// <summary>The client format this translator produces.</summary>
    public PixelFormat Format => _format;

    /// <summary>Bytes each pixel takes from <see cref="TranslateRow"/>.</summary>
    public int BytesPerPixel => _format.BytesPerPixel;

    /// <summary>Bytes each pixel takes from <see cref="TranslateRowCompact"/> (ZRLE CPIXEL).</summary>
    public int CompactPixelBytes => _format.CompactPixelBytes;

    /// <summary>Bytes each pixel takes from <see cref="TranslateRowTight"/> (Tight TPIXEL).</summary>
    public int TightPixelBytes => _format.TightPixelBytes;

    /// <summary>True when 32-bit byte shuffles run on vector hardware (tests check both loops).</summary>
    internal bool UsesVectorShuffle => _vectorShuffle;

    /// <summary>True when 3-byte CPIXELs and TPIXELs are packed on vector hardware.</summary>
    internal bool UsesVectorThreeBytes => _vectorThreeBytes;

    /// <summary>
    /// Writes <c>canonical.Length * BytesPerPixel</c> bytes: each pixel in the client format, in
    /// the client's byte order.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is too short.</exception>
    public void TranslateRow(ReadOnlySpan<uint> canonical, Span<byte> destination)
    {
        int count = canonical.Length;
        switch (_format.BitsPerPixel)
        {
            case 32:
            {
                Span<uint> words = MemoryMarshal.Cast<byte, uint>(Reserve(destination, count, 4));
                if (_path == Path.CanonicalLayout)
                {
                    if (_swap)
                    {
                        BinaryPrimitives.ReverseEndianness(canonical, words);
                    }
                    else
                    {
                        canonical.CopyTo(words);
                    }
                }
                else if (_vectorShuffle)
                {
                    ShuffleVector(canonical, words);
                }
                else
                {
                    ComputeValues(canonical, words);
                    if (_swap)
                    {
                        BinaryPrimitives.ReverseEndianness(words, words);
                    }
                }

                break;
            }

            case 16:
                Translate16(canonical, MemoryMarshal.Cast<byte, ushort>(Reserve(destination, count, 2)));
                break;

            default:
                Translate8(canonical, Reserve(destination, count, 1));
                break;
        }
    }

    /// <summary>
    /// Writes <c>canonical.Length * CompactPixelBytes</c> bytes of ZRLE CPIXELs. When the format
    /// uses 3-byte CPIXELs these are the three least (or most) significant bytes of each pixel
    /// value, in the client's byte order; otherwise this is <see cref="TranslateRow"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is too short.</exception>
    public void TranslateRowCompact(ReadOnlySpan<uint> canonical, Span<byte> destination)
    {
        if (_compactLayout == PixelFormat.CompactLayout.None)
        {
            TranslateRow(canonical, destination);
            return;
        }

        Span<byte> output = Reserve(destination, canonical.Length, 3);
        if (_vectorThreeBytes)
        {
            int done = ShuffleThreeBytes(canonical, output, _compactShuffle);
            canonical = canonical[done..];
            output = output[(done * 3)..];
        }

        if (_path == Path.CanonicalLayout)
        {
            PackThreeBytes(canonical, output);
            return;
        }

        Span<uint> values = stackalloc uint[ChunkPixels];
        for (int start = 0; start < canonical.Length; start += ChunkPixels)
        {
            int length = Math.Min(ChunkPixels, canonical.Length - start);
            ComputeValues(canonical.Slice(start, length), values[..length]);
            PackThreeBytes(values[..length], output.Slice(start * 3, length * 3));
        }
    }

    /// <summary>
    /// Writes <c>canonical.Length * TightPixelBytes</c> bytes of Tight TPIXELs: red, green, blue
    /// when the format uses 3-byte TPIXELs, otherwise <see cref="TranslateRow"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is too short.</exception>
    public void TranslateRowTight(ReadOnlySpan<uint> canonical, Span<byte> destination)
    {
        if (!_format.UsesTightPixel)
        {
            TranslateRow(canonical, destination);
            return;
        }

        // All maxima are 255, so the channels are the canonical bytes unchanged.
        Span<byte> output = Reserve(destination, canonical.Length, 3);
        if (_vectorThreeBytes)
        {
            int done = ShuffleThreeBytes(canonical, output, _tightShuffle);
            canonical = canonical[done..];
            output = output[(done * 3)..];
        }

        ref byte d = ref MemoryMarshal.GetReference(output);
        int last = canonical.Length - 1;
        for (int i = 0; i < last; i++)
        {
            // [R, G, B, 0] as a big-endian word; the zero is overwritten by the next pixel.
            WriteWord(ref Unsafe.Add(ref d, i * 3), canonical[i] << 8, bigEndian: true);
        }

        if (last >= 0)
        {
            uint p = canonical[last];
            int at = last * 3;
            output[at] = (byte)(p >> 16);
            output[at + 1] = (byte)(p >> 8);
            output[at + 2] = (byte)p;
        }
    }

    private static Span<byte> Reserve(Span<byte> destination, int pixels, int bytesPerPixel)
    {
        int needed = pixels * bytesPerPixel;
        if (destination.Length < needed)
        {
            throw new ArgumentException($"{pixels} pixels need {needed} bytes; the destination holds {destination.Length}.", nameof(destination));
        }

        return destination[..needed];
    }

    /// <summary>Numeric 32-bit pixel values (host order) for the 32-bit paths.</summary>
    private void ComputeValues(ReadOnlySpan<uint> canonical, Span<uint> values)
    {
        values = values[..canonical.Length];
        switch (_path)
        {
            case Path.CanonicalLayout:
                canonical.CopyTo(values);
                break;

            case Path.Shuffle:
            {
                int rs = _redShift;
                int gs = _greenShift;
                int bs = _blueShift;
                for (int i = 0; i < canonical.Length; i++)
                {
                    uint p = canonical[i];
                    values[i] = (((p >> 16) & 0xFF) << rs) | (((p >> 8) & 0xFF) << gs) | ((p & 0xFF) << bs);
                }

                break;
            }

            default:
            {
                ref uint t = ref MemoryMarshal.GetArrayDataReference(_tables!);
                ref uint src = ref MemoryMarshal.GetReference(canonical);
                ref uint dst = ref MemoryMarshal.GetReference(values);
                for (nint i = 0; i < canonical.Length; i++)
                {
                    Unsafe.Add(ref dst, i) = Lookup(ref t, Unsafe.Add(ref src, i));
                }

                break;
            }
        }
    }

    // The table loops index through refs: Reserve has checked the destination's length, and the
    // bounds checks the JIT cannot remove here cost about a quarter of the loop.
    private void Translate16(ReadOnlySpan<uint> canonical, Span<ushort> destination)
    {
        ref uint t = ref MemoryMarshal.GetArrayDataReference(_tables!);
        ref uint src = ref MemoryMarshal.GetReference(canonical);
        ref ushort dst = ref MemoryMarshal.GetReference(destination[..canonical.Length]);
        if (_swap)
        {
            for (nint i = 0; i < canonical.Length; i++)
            {
                Unsafe.Add(ref dst, i) = BinaryPrimitives.ReverseEndianness((ushort)Lookup(ref t, Unsafe.Add(ref src, i)));
            }
        }
        else
        {
            for (nint i = 0; i < canonical.Length; i++)
            {
                Unsafe.Add(ref dst, i) = (ushort)Lookup(ref t, Unsafe.Add(ref src, i));
            }
        }
    }

    private void Translate8(ReadOnlySpan<uint> canonical, Span<byte> destination)
    {
        ref uint t = ref MemoryMarshal.GetArrayDataReference(_tables!);
        ref uint src = ref MemoryMarshal.GetReference(canonical);
        ref byte dst = ref MemoryMarshal.GetReference(destination[..canonical.Length]);
        for (nint i = 0; i < canonical.Length; i++)
        {
            Unsafe.Add(ref dst, i) = (byte)Lookup(ref t, Unsafe.Add(ref src, i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Lookup(ref uint tables, uint p)
    {
        // Indices are at most 255, 511 and 767: inside the 768-entry table.
        return Unsafe.Add(ref tables, (int)((p >> 16) & 0xFF))
            | Unsafe.Add(ref tables, 256 + (int)((p >> 8) & 0xFF))
            | Unsafe.Add(ref tables, 512 + (int)(p & 0xFF));
    }

    private void ShuffleVector(ReadOnlySpan<uint> canonical, Span<uint> destination)
    {
        ref byte src = ref Unsafe.As<uint, byte>(ref MemoryMarshal.GetReference(canonical));
        ref byte dst = ref Unsafe.As<uint, byte>(ref MemoryMarshal.GetReference(destination));
        int vectorPixels = canonical.Length & ~3;
        for (int i = 0; i < vectorPixels; i += 4)
        {
            nuint offset = (nuint)i * 4;
            Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset), _shuffle).StoreUnsafe(ref dst, offset);
        }

        if (vectorPixels < canonical.Length)
        {
            Span<uint> tail = destination[vectorPixels..canonical.Length];
            ComputeValues(canonical[vectorPixels..], tail);
            if (_swap)
            {
                BinaryPrimitives.ReverseEndianness(tail, tail);
            }
        }
    }

    /// <summary>
    /// Packs groups of four pixels into twelve bytes while a 16-byte store stays inside the
    /// output; returns how many pixels were done (the caller finishes the rest).
    /// </summary>
    private static int ShuffleThreeBytes(ReadOnlySpan<uint> canonical, Span<byte> output, Vector128<byte> indices)
    {
        ref byte src = ref Unsafe.As<uint, byte>(ref MemoryMarshal.GetReference(canonical));
        ref byte dst = ref MemoryMarshal.GetReference(output);
        int i = 0;
        // Reads 16 bytes at 4i (needs i + 4 <= n); writes 16 at 3i (needs 3i + 16 <= 3n).
        for (; i + 6 <= canonical.Length; i += 4)
        {
            Vector128.Shuffle(Vector128.LoadUnsafe(ref src, (nuint)i * 4), indices).StoreUnsafe(ref dst, (nuint)i * 3);
        }

        return i;
    }

    private void PackThreeBytes(ReadOnlySpan<uint> values, Span<byte> output)
    {
        // The CPIXEL's three bytes, as the low three bytes of a word written in wire order:
        //   little-endian, least significant three: value        -> [b0 b1 b2]
        //   little-endian, most significant three:  value >> 8   -> [b1 b2 b3]
        //   big-endian,    least significant three: value << 8   -> [b2 b1 b0]
        //   big-endian,    most significant three:  value        -> [b3 b2 b1]
        bool bigEndian = _format.BigEndian;
        bool high = _compactLayout == PixelFormat.CompactLayout.MostSignificant;
        int rightShift = !bigEndian && high ? 8 : 0;
        int leftShift = bigEndian && !high ? 8 : 0;

        ref byte d = ref MemoryMarshal.GetReference(output);
        int last = values.Length - 1;
        for (int i = 0; i < last; i++)
        {
            // Writes four bytes; the fourth is overwritten by the next pixel.
            WriteWord(ref Unsafe.Add(ref d, i * 3), (values[i] >> rightShift) << leftShift, bigEndian);
        }

        if (last >= 0)
        {
            Span<byte> word = stackalloc byte[4];
            uint w = (values[last] >> rightShift) << leftShift;
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(word, w);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(word, w);
            }

            word[..3].CopyTo(output[(last * 3)..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteWord(ref byte destination, uint value, bool bigEndian)
    {
        if (bigEndian == BitConverter.IsLittleEndian)
        {
            value = BinaryPrimitives.ReverseEndianness(value);
        }

        Unsafe.WriteUnaligned(ref destination, value);
    }

    /// <summary>8-bit channels, each on its own byte boundary.</summary>
    private static bool IsByteShuffle(PixelFormat format)
    {
        int r = format.RedShift;
        int g = format.GreenShift;
        int b = format.BlueShift;
        return r % 8 == 0 && g % 8 == 0 && b % 8 == 0 && r != g && g != b && r != b;
    }

    /// <summary>
    /// For each wire byte of a 32-bit pixel with byte-aligned 8-bit channels, the byte of a
    /// canonical word read as little-endian bytes [B, G, R, X] that it comes from, or -1 for zero.
    /// </summary>
    private static void WireByteSources(PixelFormat format, Span<int> sources)
    {
        for (int wireByte = 0; wireByte < 4; wireByte++)
        {
            int bit = (format.BigEndian ? 3 - wireByte : wireByte) * 8;
            sources[wireByte] = bit == format.RedShift ? 2
                : bit == format.GreenShift ? 1
                : bit == format.BlueShift ? 0
                : -1;
        }
    }

    /// <summary>
    /// Indices for <see cref="Vector128.Shuffle(Vector128{byte}, Vector128{byte})"/> over four
    /// canonical pixels: <paramref name="count"/> bytes per pixel taken from
    /// <paramref name="sources"/> starting at <paramref name="first"/>. Index 0xFF gives a zero
    /// byte; unused trailing lanes are zero too.
    /// </summary>
    private static Vector128<byte> BuildShuffle(ReadOnlySpan<int> sources, int first, int count)
    {
        Span<byte> indices = stackalloc byte[16];
        indices.Fill(0xFF);
        for (int pixel = 0; pixel < 4; pixel++)
        {
            for (int k = 0; k < count; k++)
            {
                int source = sources[first + k];
                indices[pixel * count + k] = source < 0 ? (byte)0xFF : (byte)(pixel * 4 + source);
            }
        }

        return Vector128.Create((ReadOnlySpan<byte>)indices);
    }

    private static uint[] BuildTables(PixelFormat format)
    {
        var tables = new uint[768];
        FillChannel(tables.AsSpan(0, 256), format.RedMax, format.RedShift);
        FillChannel(tables.AsSpan(256, 256), format.GreenMax, format.GreenShift);
        FillChannel(tables.AsSpan(512, 256), format.BlueMax, format.BlueShift);
        return tables;
    }

    private static void FillChannel(Span<uint> table, ushort max, byte shift)
    {
        for (int v = 0; v < 256; v++)
        {
            // Round to nearest: see the class remarks.
            table[v] = (uint)((v * max + 127) / 255) << shift;
        }
    }
}
