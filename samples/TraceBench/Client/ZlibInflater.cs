using System.IO.Compression;

namespace TraceBench.Client;

/// <summary>
/// One zlib stream that lives across rectangles (RFC 6143 §7.7.5 Zlib, §7.7.6 ZRLE and Tight's four
/// streams): each rectangle's compressed bytes are appended with <see cref="Feed"/>, then its
/// pixels are read from <see cref="Read"/>. The server ends every rectangle with a sync flush, so
/// the bytes fed always hold the whole of that rectangle's output.
/// </summary>
internal sealed class ZlibInflater : IDisposable
{
    private readonly FeedStream _feed = new();
    private ZLibStream _inflate;

    public ZlibInflater()
    {
        _inflate = new ZLibStream(_feed, CompressionMode.Decompress, leaveOpen: true);
    }

    /// <summary>Reads <paramref name="count"/> compressed bytes from the connection and queues them.</summary>
    public void Feed(RfbInput input, int count)
    {
        _feed.Append(input, count);
    }

    /// <summary>Fills <paramref name="destination"/> with inflated bytes.</summary>
    /// <exception cref="InvalidDataException">The compressed bytes end before it is full.</exception>
    public void Read(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            int n = _inflate.Read(destination);
            if (n <= 0)
            {
                throw new InvalidDataException($"A zlib stream ended {destination.Length} bytes short of the rectangle.");
            }

            destination = destination[n..];
        }
    }

    /// <summary>
    /// Inflates everything the bytes fed so far hold into <paramref name="output"/> (cleared first)
    /// and returns its length: for encodings that do not say how long the inflated data is (ZRLE).
    /// </summary>
    public int ReadAll(ref byte[] output)
    {
        int length = 0;
        while (true)
        {
            if (length == output.Length)
            {
                Array.Resize(ref output, output.Length * 2);
            }

            int n = _inflate.Read(output, length, output.Length - length);
            if (n <= 0)
            {
                return length;
            }

            length += n;
        }
    }

    /// <summary>Bytes fed and not yet taken by the inflater (a well-formed stream leaves none that matter).</summary>
    public int Pending => _feed.Available;

    /// <summary>Starts a new stream (Tight's reset bits); queued bytes are dropped.</summary>
    public void Reset()
    {
        _inflate.Dispose();
        _feed.Clear();
        _inflate = new ZLibStream(_feed, CompressionMode.Decompress, leaveOpen: true);
    }

    public void Dispose() => _inflate.Dispose();

    /// <summary>A read-only stream of the bytes appended so far; it reports its end (0) when empty.</summary>
    private sealed class FeedStream : Stream
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public int Available => _end - _start;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Append(RfbInput input, int count)
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }

            if (_end + count > _buffer.Length)
            {
                int live = _end - _start;
                byte[] target = live + count > _buffer.Length ? new byte[Math.Max(_buffer.Length * 2, live + count)] : _buffer;
                Buffer.BlockCopy(_buffer, _start, target, 0, live);
                _buffer = target;
                _start = 0;
                _end = live;
            }

            input.ReadExactly(_buffer.AsSpan(_end, count));
            _end += count;
        }

        public void Clear() => _start = _end = 0;

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(buffer);
            _start += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
