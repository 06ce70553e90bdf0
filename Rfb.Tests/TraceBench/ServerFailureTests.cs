using System.Buffers;
using Rfb.Encodings;
using Rfb.Recording;
using TraceBench;
using Rfb.Tests.Recording;
using TraceBench.Servers;

namespace Rfb.Tests.TraceBench;

/// <summary>
/// When the server under test closes the measuring client's connection in the middle of a
/// replay, the run fails at once with a message that says so, instead of waiting for every
/// remaining update and then reporting a wrong final frame.
/// </summary>
public sealed class ServerFailureTests
{
    [Theory]
    [InlineData("max")]
    [InlineData("recorded")]
    public async Task Run_ServerClosesTheConnectionMidway_FailsSayingWhen(string pace)
    {
        LoadedTrace trace = LoadedTrace.Load(TracePaths.TestData(TracePaths.XtermFirst30));
        BenchOptions options = BenchOptions.Parse([TracePaths.TestData(TracePaths.XtermFirst30), "--pace", pace]);
        int calls = 0;
        await using var server = new RfbBenchServer
        {
            // Raw (the bench's default encoding) through an encoder that fails at its 40th rectangle.
            ConfigureForTests = o => o.EncoderFactoryForTests = e => e == EncodingType.Raw ? new FailingEncoder(() => Interlocked.Increment(ref calls) >= 40) : null,
        };

        var started = DateTime.UtcNow;
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => BenchRunner.RunAsync(trace, server, options, progress: null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120)));

        Assert.Contains("xterm_scroll_first30 on rfb: the measuring client stopped after", ex.Message);
        Assert.Contains("of 30 updates were replayed", ex.Message);
        Assert.True(calls >= 40, $"the encoder was called {calls} times");
        // Not 2 s per remaining update (the lock-step wait for an update that never comes).
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), $"took {DateTime.UtcNow - started}");
    }

    private sealed class FailingEncoder(Func<bool> fail) : IRectangleEncoder
    {
        private readonly RawRectangleEncoder _raw = new();

        public int Encoding => EncodingType.Raw;

        public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
            => fail() ? throw new InvalidOperationException("injected encoder failure") : _raw.Encode(rect, x, y, translator, settings, output);

        public void Dispose() => _raw.Dispose();
    }
}
