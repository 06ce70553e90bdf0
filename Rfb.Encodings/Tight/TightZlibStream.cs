using System.IO.Compression;

namespace Rfb.Encodings.Tight;

/// <summary>
/// One of Tight's four persistent zlib streams. Each rectangle's data is deflated and
/// sync-flushed, so the client can inflate it on its copy of the stream; the dictionary carries
/// over between rectangles. Changing the level starts a new stream, which the client must be
/// told to reset (<see cref="Compress"/> says so).
/// </summary>
internal sealed class TightZlibStream : IDisposable
{
    private readonly ByteSink _sink = new();
    private ZLibStream? _zlib;
    private int _level = -1;

    /// <summary>
    /// Deflates <paramref name="data"/> at <paramref name="level"/> and returns the bytes to send
    /// (valid until the next call). <paramref name="reset"/> is true when this call started a new
    /// zlib stream (the first use, or a new level): the rectangle must carry this stream's reset bit.
    /// </summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> data, int level, out bool reset)
    {
        reset = false;
        if (_zlib is null || level != _level)
        {
            _zlib?.Dispose();
            _zlib = new ZLibStream(_sink, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true);
            _level = level;
            reset = true;
        }

        _sink.Clear();
        _zlib.Write(data);
        _zlib.Flush();
        return _sink.Written;
    }

    public void Dispose()
    {
        _zlib?.Dispose();
        _zlib = null;
        _sink.Dispose();
    }
}
