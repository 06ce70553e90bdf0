using BenchmarkDotNet.Attributes;

namespace EncoderBench;

/// <summary>
/// Each encoder on a sample of every trace's recorded rectangles (every 8th update), single
/// threaded, with one session's encoder state carried across rectangles.
/// </summary>
[MemoryDiagnoser]
public class EncodeBenchmarks
{
    private TraceEncoding? _encoding;

    public static IEnumerable<string> Traces => TraceLocator.Names;

    public static IEnumerable<string> Configs => EncoderConfig.Available.Select(c => c.Name);

    [ParamsSource(nameof(Traces))]
    public string Trace { get; set; } = "";

    [ParamsSource(nameof(Configs))]
    public string Config { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        TraceFrames frames = TraceLocator.Sample(Trace);
        _encoding = new TraceEncoding(frames, EncoderConfig.Find(Config));
        _encoding.EncodeAll();
    }

    [Benchmark]
    public long EncodeSample() => _encoding!.EncodeAll();

    [GlobalCleanup]
    public void Cleanup() => _encoding?.Dispose();
}
