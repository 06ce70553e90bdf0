using System.Buffers;
using Rfb.Encodings.Analysis;

namespace Rfb.Encodings.Tight;

/// <summary>
/// One sub-rectangle of a Tight rectangle between the phases of <see cref="TightRectangleWriter"/>:
/// where it lies, what was chosen for it, the data its zlib stream still has to compress, and its
/// finished bytes. Pieces are reused from call to call; data buffers are rented and returned.
/// </summary>
internal sealed class TightPiece
{
    private readonly byte[] _filterHeader = new byte[1 + (PaletteCounter.MaxColours * 4)];
    private byte[]? _data;
    private int _dataLength;

    /// <summary>The finished rectangle (header and payload).</summary>
    public PooledBufferWriter Output { get; } = new();

    /// <summary>Framebuffer position of the piece.</summary>
    /// <summary>The index of the batch's rectangle this piece belongs to.</summary>
    public int Rect { get; private set; }

    public int X { get; private set; }

    public int Y { get; private set; }

    /// <summary>Position inside the rectangle being encoded.</summary>
    public int RelativeX { get; private set; }

    public int RelativeY { get; private set; }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Whether the cut already found this piece solid (<see cref="Colour"/>).</summary>
    public bool IsFill { get; private set; }

    public uint Colour { get; private set; }

    /// <summary>The zlib stream that still has to compress <see cref="Data"/>, or -1 when <see cref="Output"/> is finished.</summary>
    public int Stream { get; private set; } = -1;

    /// <summary>The explicit filter id, or -1 for none.</summary>
    public int Filter { get; private set; } = -1;

    public bool Lossy { get; set; }

    public Span<byte> FilterHeaderBuffer => _filterHeader;

    public int FilterHeaderLength { get; set; }

    public ReadOnlySpan<byte> FilterHeader => _filterHeader.AsSpan(0, FilterHeaderLength);

    public ReadOnlySpan<byte> Data => _data is null ? default : _data.AsSpan(0, _dataLength);

    public ReadOnlyMemory<byte> DataMemory => _data is null ? default : _data.AsMemory(0, _dataLength);

    public void Reset(int rect, int originX, int originY, int relativeX, int relativeY, int width, int height, bool fill, uint colour)
    {
        Rect = rect;
        X = originX + relativeX;
        Y = originY + relativeY;
        RelativeX = relativeX;
        RelativeY = relativeY;
        Width = width;
        Height = height;
        IsFill = fill;
        Colour = colour;
        Stream = -1;
        Filter = -1;
        Lossy = false;
        FilterHeaderLength = 0;
        Release();
    }

    /// <summary>A buffer of <paramref name="length"/> bytes for the data the zlib stream will compress.</summary>
    public Span<byte> RentData(int length)
    {
        if (_data is null || _data.Length < length)
        {
            Release();
            _data = ArrayPool<byte>.Shared.Rent(length);
        }

        _dataLength = length;
        return _data.AsSpan(0, length);
    }

    /// <summary>
    /// Leaves the piece for <paramref name="stream"/> with <paramref name="filter"/>; the data is
    /// <paramref name="data"/> (copied) or, when that is empty, what was written to <see cref="RentData"/>.
    /// </summary>
    public void SetBasic(int stream, int filter, ReadOnlySpan<byte> data)
    {
        if (!data.IsEmpty)
        {
            data.CopyTo(RentData(data.Length));
        }

        Stream = stream;
        Filter = filter;
    }

    /// <summary>Returns the data buffer to the pool.</summary>
    public void Release()
    {
        Output.Release();
        if (_data is not null)
        {
            ArrayPool<byte>.Shared.Return(_data);
            _data = null;
        }

        _dataLength = 0;
    }
}
