using System.IO.Compression;

namespace Rfb.Tests.Encodings.Zlib;

/// <summary>
/// The client's end of a session's zlib stream, inflated by .NET's <see cref="ZLibStream"/> (a
/// standard inflater, independent of how the encoders drive the deflater): compressed bytes are
/// appended rectangle by rectangle and reads take exactly what the caller asks for, so a read
/// that needs bytes the server has not flushed yet fails at once.
/// </summary>
internal sealed class ZlibTestInflater : IDisposable
{
    private readonly AppendedBytes _input = new();
    private readonly ZLibStream _zlib;

    public ZlibTestInflater()
    {
        _zlib = new ZLibStream(_input, CompressionMode.Decompress);
    }

    public void Append(ReadOnlySpan<byte> compressed) => _input.Append(compressed);

    /// <summary>Inflates exactly <paramref name="destination"/>.Length bytes; throws <see cref="EndOfStreamException"/> when the input runs out.</summary>
    public void ReadExactly(Span<byte> destination) => _zlib.ReadExactly(destination);

    public byte[] Read(int count)
    {
        var bytes = new byte[count];
        ReadExactly(bytes);
        return bytes;
    }

    public byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        ReadExactly(one);
        return one[0];
    }

    public void Dispose() => _zlib.Dispose();

    // A read-only stream of whatever has been appended; it reports the end (0) when all was read.
    private sealed class AppendedBytes : Stream
    {
        private readonly Queue<byte> _bytes = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes)
            {
                _bytes.Enqueue(b);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = 0;
            while (n < buffer.Length && _bytes.Count > 0)
            {
                buffer[n++] = _bytes.Dequeue();
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
