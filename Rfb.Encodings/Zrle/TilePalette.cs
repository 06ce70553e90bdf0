namespace Rfb.Encodings.Zrle;

/// <summary>
/// The distinct colours of one tile, up to <see cref="MaxColours"/>, in order of first
/// appearance until <see cref="SortByValue"/> orders them, with an open-addressing hash from colour to index. Cleared per tile by bumping a
/// generation, so clearing costs nothing.
/// </summary>
internal sealed class TilePalette
{
    /// <summary>ZRLE's largest palette (palette RLE, subencoding 130 + 125 = 255).</summary>
    public const int MaxColours = 127;

    private const int Slots = 256; // a power of two over twice MaxColours
    private const int SlotMask = Slots - 1;

    private readonly uint[] _keys = new uint[Slots];
    private readonly byte[] _indices = new byte[Slots];
    private readonly int[] _stamps = new int[Slots];
    private readonly uint[] _colours = new uint[MaxColours];
    private int _generation = 1;

    /// <summary>Number of colours, or <see cref="MaxColours"/> + 1 once the tile had more.</summary>
    public int Count { get; private set; }

    /// <summary>True when the tile has more colours than a palette can hold.</summary>
    public bool Overflowed => Count > MaxColours;

    /// <summary>The colours, in order of first appearance (or by value after <see cref="SortByValue"/>).</summary>
    public ReadOnlySpan<uint> Colours => _colours.AsSpan(0, Math.Min(Count, MaxColours));

    public void Clear()
    {
        Count = 0;
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamps);
            _generation = 1;
        }
    }

    /// <summary>Adds <paramref name="colour"/> unless present or the palette has overflowed.</summary>
    public void Add(uint colour)
    {
        if (Count > MaxColours)
        {
            return;
        }

        int slot = Hash(colour);
        while (_stamps[slot] == _generation)
        {
            if (_keys[slot] == colour)
            {
                return;
            }

            slot = (slot + 1) & SlotMask;
        }

        if (Count == MaxColours)
        {
            Count++;
            return;
        }

        _stamps[slot] = _generation;
        _keys[slot] = colour;
        _indices[slot] = (byte)Count;
        _colours[Count++] = colour;
    }

    /// <summary>The index of a colour that was added (the palette has not overflowed).</summary>
    public int IndexOf(uint colour)
    {
        int slot = Hash(colour);
        while (_keys[slot] != colour || _stamps[slot] != _generation)
        {
            slot = (slot + 1) & SlotMask;
        }

        return _indices[slot];
    }

    /// <summary>
    /// Orders the colours by value and renumbers the indices to match, so tiles with the same
    /// colours (text on one background) give the same index bytes and zlib finds repeats across
    /// tiles.
    /// </summary>
    public void SortByValue()
    {
        Span<uint> colours = _colours.AsSpan(0, Math.Min(Count, MaxColours));
        colours.Sort();
        for (int i = 0; i < colours.Length; i++)
        {
            int slot = Hash(colours[i]);
            while (_keys[slot] != colours[i] || _stamps[slot] != _generation)
            {
                slot = (slot + 1) & SlotMask;
            }

            _indices[slot] = (byte)i;
        }
    }

    private static int Hash(uint colour) => (int)((colour * 0x9E3779B1u) >> 24);
}
