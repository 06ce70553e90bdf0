using System.IO.Compression;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>A client's four zlib streams: compressed parts go in, inflated bytes come out.</summary>
internal sealed class TightInflaters
{
    private readonly Feed[] _feeds = [new(), new(), new(), new()];

    public void Reset(int stream) => _feeds[stream] = new Feed();

    public byte[] Inflate(int stream, ReadOnlySpan<byte> compressed, int expectedLength)
    {
        Feed feed = _feeds[stream];
        feed.Input.Append(compressed);
        var result = new byte[expectedLength];
        feed.Zlib.ReadExactly(result);
        return result;
    }

    private sealed class Feed
    {
        public Feed()
        {
            Zlib = new ZLibStream(Input, CompressionMode.Decompress);
        }

        public AppendStream Input { get; } = new();

        public ZLibStream Zlib { get; }
    }

    /// <summary>A read stream that returns what was appended so far, never end of stream while data is expected.</summary>
    private sealed class AppendStream : Stream
    {
        private readonly List<byte> _data = [];
        private int _position;

        public void Append(ReadOnlySpan<byte> bytes) => _data.AddRange(bytes.ToArray());

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, _data.Count - _position);
            _data.CopyTo(_position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _data.Count;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
