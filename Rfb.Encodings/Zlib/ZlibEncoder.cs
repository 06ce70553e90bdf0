using System.Buffers;

namespace Rfb.Encodings.Zlib;

/// <summary>
/// The Zlib encoding (community rfbproto, encoding 6): the rectangle's Raw pixel data compressed
/// on one zlib stream per session, behind a big-endian u32 length.
/// </summary>
/// <remarks>
/// The client's compress level picks the zlib level when the first rectangle is encoded and the
/// stream keeps it for the session (see <see cref="ZlibDeflater"/>).
/// </remarks>
public sealed class ZlibEncoder : IRectangleEncoder
{
    private readonly ZlibDeflater _deflater = new();

    // One translated row; grows to the widest row seen.
    private byte[] _row = [];
    private bool _disposed;

    /// <inheritdoc />
    public int Encoding => EncodingType.Zlib;

    /// <summary>The zlib level of this session's stream, or -1 before the first rectangle.</summary>
    public int ZlibLevel => _deflater.Level;

    /// <inheritdoc />
    public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed, this);

        RectangleHeader.Write(output, x, y, rect.Width, rect.Height, EncodingType.Zlib);
        _deflater.Start(ZlibDeflater.ZlibLevelFor(settings.CompressLevel));
        int rowBytes = rect.Width * translator.BytesPerPixel;
        if (_row.Length < rowBytes)
        {
            _row = new byte[rowBytes];
        }

        for (int row = 0; row < rect.Height && rowBytes > 0; row++)
        {
            translator.TranslateRow(rect.Row(row), _row);
            _deflater.Write(_row.AsSpan(0, rowBytes));
        }

        _deflater.FlushTo(output);
        return 1;
    }

    public void Dispose()
    {
        _disposed = true;
        _deflater.Dispose();
    }
}
