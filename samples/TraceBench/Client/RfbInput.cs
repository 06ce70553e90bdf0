using System.Buffers;
using System.Buffers.Binary;

namespace TraceBench.Client;

/// <summary>
/// Blocking, buffered reads of the server's side of an RFB connection, counting every byte.
/// An optional tap receives a copy of each byte read (the recorder stores them).
/// </summary>
internal sealed class RfbInput
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;

    public RfbInput(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Bytes consumed so far.</summary>
    public long Position { get; private set; }

    /// <summary>When set, every byte consumed is also written here.</summary>
    public IBufferWriter<byte>? Tap { get; set; }

    public byte ReadU8()
    {
        Span<byte> b = stackalloc byte[1];
        ReadExactly(b);
        return b[0];
    }

    public ushort ReadU16()
    {
        Span<byte> b = stackalloc byte[2];
        ReadExactly(b);
        return BinaryPrimitives.ReadUInt16BigEndian(b);
    }

    public uint ReadU32()
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b);
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }

    public int ReadS32() => unchecked((int)ReadU32());

    public void ReadExactly(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            if (_start == _end)
            {
                Fill();
            }

            int n = Math.Min(destination.Length, _end - _start);
            ReadOnlySpan<byte> chunk = _buffer.AsSpan(_start, n);
            chunk.CopyTo(destination);
            Consumed(chunk);
            destination = destination[n..];
        }
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes (a payload this client does not decode).</summary>
    public void Skip(long count)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                Fill();
            }

            int n = (int)Math.Min(count, _end - _start);
            Consumed(_buffer.AsSpan(_start, n));
            count -= n;
        }
    }

    private void Consumed(ReadOnlySpan<byte> chunk)
    {
        Tap?.Write(chunk);
        _start += chunk.Length;
        Position += chunk.Length;
    }

    private void Fill()
    {
        _start = 0;
        _end = _stream.Read(_buffer, 0, _buffer.Length);
        if (_end <= 0)
        {
            _end = 0;
            throw new EndOfStreamException("The server closed the connection.");
        }
    }
}
