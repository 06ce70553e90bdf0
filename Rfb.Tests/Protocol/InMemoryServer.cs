using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using ConsoleBridge;
using Rfb.Transports;

namespace Rfb.Tests.Protocol;

/// <summary>A server over one console, with clients connected through in-memory pipes.</summary>
internal sealed class InMemoryServer : IAsyncDisposable
{
    private readonly List<Task> _sessions = new();

    public InMemoryServer(int width = 4, int height = 2, Action<RfbServerOptions>? configure = null)
    {
        Width = width;
        Height = height;
        Memory = new byte[width * height * 4];
        Host = new RecordingHost();
        Console = new DisplayConsole(Host, new DisplayConsoleOptions { AutoRefresh = false });
        Console.SwitchSurface(GuestSurface.FromMemory(Memory, width, height, width * 4, DrmFourcc.Xrgb8888));
        Options = new RfbServerOptions { DesktopName = "test" };
        Options.Endpoints.Clear();
        configure?.Invoke(Options);
        Server = new RfbServer(Console, Options);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The guest memory (XRGB8888).</summary>
    public byte[] Memory { get; }

    public RecordingHost Host { get; }

    public DisplayConsole Console { get; }

    public RfbServerOptions Options { get; }

    public RfbServer Server { get; }

    public Task LastSession { get; private set; } = Task.CompletedTask;

    public void SetPixel(int x, int y, uint xrgb)
    {
        BitConverter.TryWriteBytes(Memory.AsSpan((y * Width + x) * 4, 4), xrgb);
    }

    public TestClient Connect(IPAddress? address = null)
    {
        var toServer = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var toClient = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        LastSession = Server.RunSessionAsync(new DuplexPipe(toServer.Reader, toClient.Writer), "in-memory", address ?? IPAddress.Loopback);
        _sessions.Add(LastSession);
        return new TestClient(toClient.Reader, toServer.Writer);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync().WaitAsync(TestClient.Timeout);
        Console.Dispose();
    }
}

/// <summary>A console host that records the input it receives.</summary>
internal sealed class RecordingHost : IConsoleHost
{
    public ConcurrentQueue<string> Events { get; } = new();

    public void OnKey(uint keysym, uint scancode, bool down) => Events.Enqueue($"key {keysym:x} {scancode:x} {(down ? "down" : "up")}");

    public void OnPointer(int x, int y, int buttons) => Events.Enqueue($"pointer {x},{y} {buttons}");

    public void OnClipboard(string text) => Events.Enqueue($"clipboard {text}");

    public async Task<string[]> WaitForAsync(int count)
    {
        using var cts = new CancellationTokenSource(TestClient.Timeout);
        while (Events.Count < count)
        {
            await Task.Delay(10, cts.Token);
        }

        return Events.ToArray();
    }
}
