using Rfb.Encodings.Analysis;
using Rfb.Encodings.Jpeg;

namespace Rfb.Encodings.Tight;

/// <summary>
/// What one worker of <see cref="TightRectangleWriter"/> needs to prepare sub-rectangles: a
/// palette counter, index and scratch buffers, a JPEG compressor and a PNG sink. Used by one
/// thread at a time.
/// </summary>
internal sealed class TightWorker : IDisposable
{
    private JpegCompressor? _jpeg;
    private ByteSink? _pngSink;
    private byte[]? _scratch;

    public PaletteCounter Palette { get; } = new();

    /// <summary>One palette index per pixel of a sub-rectangle.</summary>
    public byte[] Indices { get; } = new byte[TightLevels.MaxArea];

    /// <summary>PNG scanlines: 3 bytes a pixel plus a filter byte a row (made at the first PNG).</summary>
    public byte[] Scratch => _scratch ??= new byte[(TightLevels.MaxArea * 3) + TightLevels.MaxArea];

    public byte[] PaletteBytes { get; } = new byte[PaletteCounter.MaxColours * 4];

    /// <summary>Created at the first JPEG (only when TurboJPEG is available).</summary>
    public JpegCompressor Jpeg => _jpeg ??= new JpegCompressor();

    public ByteSink PngSink => _pngSink ??= new ByteSink();

    public void Dispose()
    {
        _jpeg?.Dispose();
        _pngSink?.Dispose();
    }
}
