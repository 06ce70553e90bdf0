using System.Buffers;
using Rfb.Encodings;

namespace EncoderBench;

/// <summary>Encodes every rectangle of a trace sample with one session's encoder, as encperf does.</summary>
internal sealed class TraceEncoding : IDisposable
{
    private readonly TraceFrames _frames;
    private readonly EncoderConfig _config;
    private readonly PixelTranslator _translator = new(PixelFormat.Canonical);
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private IRectangleEncoder _encoder;

    private readonly int _threads;
    private readonly bool _batch;
    private BatchRect[] _batchRects = [];
    private bool[] _lossy = [];

    /// <summary>
    /// Encodes with <paramref name="threads"/> threads per encoder call; with
    /// <paramref name="batch"/>, each update's rectangles go to the encoder in one call.
    /// </summary>
    public TraceEncoding(TraceFrames frames, EncoderConfig config, int threads = 1, bool batch = false)
    {
        _frames = frames;
        _config = config;
        _threads = threads;
        _batch = batch;
        _encoder = Create();
    }

    /// <summary>Encodes the whole sample once; returns the bytes written.</summary>
    public long EncodeAll()
    {
        long bytes = 0;
        EncodeSettings settings = _config.Settings;
        foreach (List<TraceRect> rects in _frames.Updates)
        {
            if (_batch)
            {
                // One call per update: the rectangles share one packed surface.
                if (_batchRects.Length < rects.Count)
                {
                    _batchRects = new BatchRect[rects.Count];
                    _lossy = new bool[rects.Count];
                }

                Span<BatchRect> batch = _batchRects.AsSpan(0, rects.Count);
                Span<bool> lossy = _lossy.AsSpan(0, rects.Count);
                for (int i = 0; i < rects.Count; i++)
                {
                    batch[i] = rects[i].Batch;
                }

                TraceRect first = rects[0];
                var surface = new PixelView(first.Surface, first.SurfaceStride, first.SurfaceStride, first.Surface.Length / first.SurfaceStride);
                _encoder.EncodeBatch(surface, batch, _translator, settings, _output, lossy);
            }
            else
            {
                foreach (TraceRect r in rects)
                {
                    _encoder.Encode(r.View, r.X, r.Y, _translator, settings, _output);
                }
            }

            if (_output.WrittenCount > (1 << 24))
            {
                bytes += _output.WrittenCount;
                _output.ResetWrittenCount();
            }
        }

        bytes += _output.WrittenCount;
        _output.ResetWrittenCount();
        return bytes;
    }

    /// <summary>Starts again with fresh encoder state, like a new connection.</summary>
    public void Reset()
    {
        _encoder.Dispose();
        _encoder = Create();
    }

    /// <summary>The session's encoder, with the Tight and ZRLE encoders limited to the configured threads.</summary>
    private IRectangleEncoder Create() => _config.Encoding switch
    {
        EncodingType.Tight => new Rfb.Encodings.Tight.TightEncoder(_threads),
        EncodingType.TightPng => new Rfb.Encodings.Tight.TightPngEncoder(_threads),
        EncodingType.Zrle => new Rfb.Encodings.Zrle.ZrleEncoder(_threads),
        _ => Rfb.Sessions.EncoderCatalog.Create(_config.Encoding),
    };

    public void Dispose() => _encoder.Dispose();
}
