using System.Buffers.Binary;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Rfb.Recording;

/// <summary>
/// Writes an FBS 001.000 file (see <see cref="FbsReader"/> for the layout), optionally
/// zstd-compressed with a 2^27 window and long-distance matching, as <c>zstd --long=27</c> does.
/// Disposing the writer ends the zstd frame.
/// </summary>
internal sealed class FbsWriter : IDisposable
{
    /// <summary>The compression level used unless another is given (that of the project's traces).</summary>
    public const int DefaultCompressionLevel = 19;

    private readonly Stream _output;
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private bool _disposed;

    public FbsWriter(Stream output, bool compress, int compressionLevel = DefaultCompressionLevel, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _leaveOpen = leaveOpen;
        if (compress)
        {
            var zstd = new CompressionStream(output, compressionLevel, leaveOpen: true);
            zstd.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, FbsFormat.ZstdWindowLog);
            zstd.SetParameter(ZSTD_cParameter.ZSTD_c_enableLongDistanceMatching, 1);
            _stream = zstd;
        }
        else
        {
            _stream = output;
        }

        _stream.Write(FbsFormat.Header);
    }

    /// <summary>Blocks written so far.</summary>
    public long BlocksWritten { get; private set; }

    /// <summary>Writes one block: its length, the bytes, zero padding to 4 and the timestamp.</summary>
    public void WriteBlock(ReadOnlySpan<byte> data, uint timestampMs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.Length > FbsReader.MaxBlockLength)
        {
            throw new ArgumentException($"A block may hold at most {FbsReader.MaxBlockLength} bytes; got {data.Length}.", nameof(data));
        }

        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        _stream.Write(word);
        _stream.Write(data);
        int padding = (4 - (data.Length & 3)) & 3;
        word.Clear();
        _stream.Write(word[..padding]);
        BinaryPrimitives.WriteUInt32BigEndian(word, timestampMs);
        _stream.Write(word);
        BlocksWritten++;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!ReferenceEquals(_stream, _output))
        {
            _stream.Dispose();
        }

        _output.Flush();
        if (!_leaveOpen)
        {
            _output.Dispose();
        }
    }
}
