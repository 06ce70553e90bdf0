using System.Buffers.Binary;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Rfb.Recording;

/// <summary>
/// Reads the blocks of an FBS 001.000 file (the format of rfbproxy and TigerVNC's session
/// recordings), plain or zstd-compressed.
/// </summary>
/// <remarks>
/// <para>
/// Layout: the 12-byte header <c>FBS 001.000\n</c>, then blocks of
/// <code>
/// +--------------+-------------+------------------+------------------+
/// | u32 BE: N    | N bytes     | 0..3 zero bytes  | u32 BE: ms since |
/// |              | of the RFB  | (pad N to a      | recording began  |
/// |              | stream      | multiple of 4)   |                  |
/// +--------------+-------------+------------------+------------------+
/// </code>
/// The concatenated block bytes are the server side of an RFB session; see
/// <see cref="RecordedSessionDecoder"/>.
/// </para>
/// <para>
/// Compression is recognised by content (the zstd magic <c>28 B5 2F FD</c>), not by the file
/// name; a window of up to 2^27 bytes (<c>zstd --long=27</c>) is accepted. A block longer than
/// <see cref="MaxBlockLength"/> (64 MiB) is refused, so a corrupt length cannot make the reader
/// allocate without bound.
/// </para>
/// </remarks>
public sealed class FbsReader : IDisposable
{
    /// <summary>The longest block accepted: 64 MiB.</summary>
    public const int MaxBlockLength = 64 * 1024 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[64 * 1024];
    private long _offset;
    private bool _disposed;

    /// <summary>Opens the file at <paramref name="path"/>.</summary>
    /// <exception cref="TraceFormatException">The file is not an FBS 001.000 file.</exception>
    public FbsReader(string path)
        : this(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), leaveOpen: false)
    {
    }

    /// <summary>Reads an FBS file from <paramref name="stream"/>, which need not be seekable.</summary>
    /// <param name="stream">The file's bytes, plain or zstd-compressed.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="stream"/> open.</param>
    /// <exception cref="TraceFormatException">The stream is not an FBS 001.000 file.</exception>
    public FbsReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            var magic = new byte[4];
            int got = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            Stream source = new PrefixedStream(magic.AsSpan(0, got).ToArray(), stream, leaveOpen);
            if (got == magic.Length && magic.AsSpan().SequenceEqual(FbsFormat.ZstdMagic))
            {
                var zstd = new DecompressionStream(source, leaveOpen: false);
                zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, FbsFormat.ZstdWindowLog);
                source = zstd;
                IsCompressed = true;
            }

            _stream = source;
            Span<byte> header = stackalloc byte[FbsFormat.Header.Length];
            int read = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read != header.Length || !header.SequenceEqual(FbsFormat.Header))
            {
                throw new TraceFormatException(
                    TraceFormatError.BadHeader,
                    $"Not an FBS 001.000 file: expected the header \"FBS 001.000\\n\", found \"{Printable(header[..read])}\".");
            }

            _offset = header.Length;
        }
        catch
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw;
        }
    }

    /// <summary>Whether the file was zstd-compressed.</summary>
    public bool IsCompressed { get; }

    /// <summary>How many blocks have been read.</summary>
    public long BlocksRead { get; private set; }

    /// <summary>
    /// Reads the next block. The returned memory belongs to the reader and stays valid only until
    /// the next call.
    /// </summary>
    /// <returns>False at the end of the file (which must fall between blocks).</returns>
    /// <exception cref="TraceFormatException">A truncated block, or one longer than <see cref="MaxBlockLength"/>.</exception>
    public bool TryReadBlock(out ReadOnlyMemory<byte> data, out uint timestampMs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        data = default;
        timestampMs = 0;
        Span<byte> word = stackalloc byte[4];
        int got = _stream.ReadAtLeast(word, 4, throwOnEndOfStream: false);
        if (got == 0)
        {
            return false;
        }

        if (got < 4)
        {
            throw Truncated("length");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(word);
        if (length > MaxBlockLength)
        {
            throw new TraceFormatException(
                TraceFormatError.BlockTooLong,
                $"The FBS block at offset {_offset} is {length} bytes long; the limit is {MaxBlockLength}.");
        }

        int padded = (int)((length + 3) & ~3u);
        if (_buffer.Length < padded)
        {
            _buffer = new byte[Math.Max(padded, Math.Min(_buffer.Length * 2, MaxBlockLength))];
        }

        if (_stream.ReadAtLeast(_buffer.AsSpan(0, padded), padded, throwOnEndOfStream: false) < padded)
        {
            throw Truncated("data");
        }

        if (_stream.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
        {
            throw Truncated("timestamp");
        }

        timestampMs = BinaryPrimitives.ReadUInt32BigEndian(word);
        data = _buffer.AsMemory(0, (int)length);
        _offset += 8 + padded;
        BlocksRead++;
        return true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream.Dispose();
    }

    private TraceFormatException Truncated(string part) =>
        new(TraceFormatError.TruncatedBlock, $"The FBS file ends inside the {part} of the block at offset {_offset}.");

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            chars[i] = b >= 0x20 && b < 0x7F ? (char)b : '.';
        }

        return new string(chars);
    }
}
