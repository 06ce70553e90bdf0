using BenchmarkDotNet.Attributes;
using ConsoleBridge;

namespace EncoderBench;

/// <summary>
/// The console's refresh of a whole 1280×720 guest-memory frame (as an emulator that reports
/// the full screen damaged each frame, or the video trace's replay): compare every pixel with
/// the shadow and copy in what differs (a 128×128 block a frame, or every pixel, as text
/// scrolled without a copy), on one thread or in parallel bands of tile rows
/// (<c>DisplayConsole.RowWorkers</c>), each changed tile segment compared from both ends and
/// copied between them or compared pixel by pixel (<c>DisplayConsole.CompareEveryPixel</c>, the
/// baseline).
/// </summary>
[MemoryDiagnoser]
public class ConsoleRefreshBenchmarks
{
    private const int Width = 1280, Height = 720;
    private readonly byte[] _memory = new byte[Width * Height * 4];
    private DisplayConsole? _console;

    /// <summary>Threads for the compare-and-copy (1: the refreshing thread alone).</summary>
    [Params(1, 2)]
    public int Workers { get; set; }

    /// <summary>What changes each frame: a 128×128 block, or every pixel.</summary>
    [Params("block", "all")]
    public string Changed { get; set; } = "block";

    [Params(false, true)]
    public bool CompareEveryPixel { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_memory);
        _console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false, InitialWidth = Width, InitialHeight = Height });
        _console.RowWorkers = Workers;
        _console.GuestBandsMinPixels = 0;
        _console.CompareEveryPixel = CompareEveryPixel;
        _console.SwitchSurface(GuestSurface.FromMemory(_memory, Width, Height, Width * 4, DrmFourcc.Xrgb8888));
        _console.Refresh();
    }

    [GlobalCleanup]
    public void Cleanup() => _console?.Dispose();

    [Benchmark]
    public bool FullFrameRefresh()
    {
        if (Changed == "all")
        {
            Span<uint> pixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(_memory.AsSpan());
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] ^= 1;
            }

            _console!.Invalidate(0, 0, Width, Height);
            return _console.Refresh();
        }

        for (int y = 300; y < 428; y++)
        {
            for (int x = 500; x < 628; x++)
            {
                _memory[(y * Width + x) * 4] ^= 1;
            }
        }

        _console!.Invalidate(0, 0, Width, Height);
        return _console.Refresh();
    }
}
