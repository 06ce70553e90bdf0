using System.IO.Compression;

namespace Rfb.Encodings.Zlib;

/// <summary>
/// A running deflate compressor and the sink its output goes to. A session's zlib stream is one
/// of these at a time; <see cref="DeflateSegments"/> may hand the stream over to another one
/// that carries on where the stream's data ends (see there).
/// </summary>
internal sealed class Deflater : IDisposable
{
    private Deflater(Stream stream, ByteSink sink, int level)
    {
        Stream = stream;
        Sink = sink;
        Level = level;
    }

    /// <summary>The compressor: <see cref="Stream.Write(ReadOnlySpan{byte})"/> adds data, <see cref="Stream.Flush"/> is a sync flush.</summary>
    public Stream Stream { get; }

    /// <summary>The compressed bytes written since the sink was last cleared.</summary>
    public ByteSink Sink { get; }

    /// <summary>The zlib level (1..9).</summary>
    public int Level { get; }

    /// <summary>A new zlib stream (with its two-byte header) at <paramref name="level"/>.</summary>
    public static Deflater CreateZlib(int level)
    {
        var sink = new ByteSink();
        return new Deflater(new ZLibStream(sink, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true), sink, level);
    }

    /// <summary>
    /// A compressor of raw deflate data (no header) at <paramref name="level"/>, for data that
    /// continues a stream already started.
    /// </summary>
    public static Deflater CreateRaw(int level)
    {
        var sink = new ByteSink();
        return new Deflater(new DeflateStream(sink, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true), sink, level);
    }

    /// <summary>
    /// Ends what was written so far on a byte boundary (a sync flush: the output ends with the
    /// empty stored block 00 00 FF FF) and returns everything in the sink, valid until the next
    /// write or <see cref="ByteSink.Clear"/>.
    /// </summary>
    public ReadOnlySpan<byte> Flush()
    {
        Stream.Flush();
        return Sink.Written;
    }

    /// <summary>Ends the compressor (its last bytes go to the sink, which nobody reads then) and frees both.</summary>
    public void Dispose()
    {
        Stream.Dispose();
        Sink.Dispose();
    }
}
