using Rfb.Encodings.Zlib;

namespace Rfb.Encodings.Tight;

/// <summary>
/// One of Tight's four persistent zlib streams. Each rectangle's data is deflated and
/// sync-flushed, so the client can inflate it on its copy of the stream; the dictionary carries
/// over between rectangles. Changing the level starts a new stream, which the client must be
/// told to reset (<see cref="Start"/> says so). One call's data may also be compressed in
/// segments on several threads (<see cref="DeflateSegments"/>), after which another compressor
/// carries the stream on (<see cref="Continue"/>).
/// </summary>
internal sealed class TightZlibStream : IDisposable
{
    private Deflater? _deflater;

    /// <summary>
    /// The stream's compressor at <paramref name="level"/>; <paramref name="reset"/> is true when
    /// this call started a new zlib stream (the first use, or a new level): the next rectangle
    /// that uses it must carry this stream's reset bit.
    /// </summary>
    public Deflater Start(int level, out bool reset)
    {
        reset = false;
        if (_deflater is null || level != _deflater.Level)
        {
            _deflater?.Dispose();
            _deflater = Deflater.CreateZlib(level);
            reset = true;
        }

        return _deflater;
    }

    /// <summary>
    /// Deflates <paramref name="data"/> at <paramref name="level"/> and returns the bytes to send
    /// (valid until the next call); <paramref name="reset"/> as for <see cref="Start"/>.
    /// </summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> data, int level, out bool reset)
    {
        Deflater deflater = Start(level, out reset);
        deflater.Sink.Clear();
        deflater.Stream.Write(data);
        return deflater.Flush();
    }

    /// <summary>Makes <paramref name="next"/> (from <see cref="DeflateSegments.Finish"/>) the stream's compressor; the old one is the segments' to release.</summary>
    public void Continue(Deflater next) => _deflater = next;

    public void Dispose()
    {
        _deflater?.Dispose();
        _deflater = null;
    }
}
