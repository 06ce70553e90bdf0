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

    public TraceEncoding(TraceFrames frames, EncoderConfig config, int threads = 1)
    {
        _frames = frames;
        _config = config;
        _threads = threads;
        _encoder = Create();
    }

    /// <summary>Encodes the whole sample once; returns the bytes written.</summary>
    public long EncodeAll()
    {
        long bytes = 0;
        EncodeSettings settings = _config.Settings;
        foreach (List<TraceRect> rects in _frames.Updates)
        {
            foreach (TraceRect r in rects)
            {
                _encoder.Encode(r.View, r.X, r.Y, _translator, settings, _output);
                if (_output.WrittenCount > (1 << 24))
                {
                    bytes += _output.WrittenCount;
                    _output.ResetWrittenCount();
                }
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

    /// <summary>The session's encoder, with the Tight encoders limited to the configured threads.</summary>
    private IRectangleEncoder Create() => _config.Encoding switch
    {
        EncodingType.Tight => new Rfb.Encodings.Tight.TightEncoder(_threads),
        EncodingType.TightPng => new Rfb.Encodings.Tight.TightPngEncoder(_threads),
        _ => Rfb.Sessions.EncoderCatalog.Create(_config.Encoding),
    };

    public void Dispose() => _encoder.Dispose();
}
