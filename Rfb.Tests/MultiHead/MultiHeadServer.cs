using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using ConsoleBridge;
using Rfb.Tests.Protocol;
using Rfb.Transports;

namespace Rfb.Tests.MultiHead;

/// <summary>A server over a desktop of heads with in-memory guest memory, and clients through in-memory pipes.</summary>
internal sealed class MultiHeadServer : IAsyncDisposable
{
    private readonly List<DisplayConsole> _consoles = new();

    public MultiHeadServer(params (int Width, int Height)[] heads)
        : this(null, null, heads)
    {
    }

    /// <summary>
    /// A server that also listens on <paramref name="endpoint"/> once started (for real clients),
    /// with options <paramref name="configure"/> may change (a WebSocket endpoint, for browsers).
    /// </summary>
    public MultiHeadServer(IPEndPoint? endpoint, Action<RfbServerOptions>? configure = null, params (int Width, int Height)[] heads)
    {
        Desktop = new Desktop();
        foreach ((int w, int h) in heads)
        {
            AddHead(w, h);
        }

        var options = new RfbServerOptions { DesktopName = "heads" };
        options.Endpoints.Clear();
        if (endpoint is not null)
        {
            options.Endpoints.Add(endpoint);
        }

        configure?.Invoke(options);

        Server = new RfbServer(Desktop, options);
    }

    public Desktop Desktop { get; }

    public RfbServer Server { get; }

    public List<ResizingHost> Hosts { get; } = new();

    public ResizingHost AddHead(int width, int height, uint fill = 0)
    {
        var host = new ResizingHost();
        var console = new DisplayConsole(host, new DisplayConsoleOptions { AutoRefresh = false });
        host.Console = console;
        host.Desktop = Desktop;
        host.Switch(width, height, fill);
        _consoles.Add(console);
        Hosts.Add(host);
        host.Head = Desktop.AddHead(console);
        return host;
    }

    /// <summary>A hotplugged head with the screen id and size a client asked for.</summary>
    public ResizingHost AddHeadWithId(DesktopHeadRequest request)
    {
        var host = new ResizingHost();
        var console = new DisplayConsole(host, new DisplayConsoleOptions { AutoRefresh = false });
        host.Console = console;
        host.Desktop = Desktop;
        host.Switch(request.Width, request.Height, 0);
        _consoles.Add(console);
        Hosts.Add(host);
        host.Head = Desktop.AddHead(console, new DesktopPosition(request.Bounds.X, request.Bounds.Y), request.ScreenId);
        return host;
    }

    public TestClient Connect()
    {
        var toServer = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var toClient = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        _ = Server.RunSessionAsync(new DuplexPipe(toServer.Reader, toClient.Writer), "in-memory", IPAddress.Loopback);
        return new TestClient(toClient.Reader, toServer.Writer);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync().WaitAsync(TestClient.Timeout);
        Desktop.Dispose();
        foreach (DisplayConsole c in _consoles)
        {
            c.Dispose();
        }
    }
}

/// <summary>
/// A head's host that follows size requests when <see cref="Cooperative"/> (switching to a surface
/// of the requested size filled with <see cref="Fill"/>, and placing the head where asked), and
/// records every request.
/// </summary>
internal sealed class ResizingHost : IConsoleHost
{
    public DisplayConsole Console { get; set; } = null!;

    public Desktop Desktop { get; set; } = null!;

    public DesktopHead Head { get; set; } = null!;

    public bool Supports { get; set; } = true;

    public bool Cooperative { get; set; } = true;

    public uint Fill { get; set; }

    /// <summary>When set, a new surface is painted with this (x, y) → 0x00RRGGBB instead of <see cref="Fill"/>.</summary>
    public Func<int, int, uint>? Painter { get; set; }

    public byte[] Memory { get; private set; } = [];

    public List<DesktopHeadRequest> Requests { get; } = new();

    public List<string> Input { get; } = new();

    public bool SupportsUiInfo => Supports;

    public void OnUiInfo(DesktopHeadRequest request)
    {
        Requests.Add(request);
        if (Cooperative)
        {
            Desktop.MoveHead(Head, new DesktopPosition(request.Bounds.X, request.Bounds.Y));
            Switch(request.Width, request.Height, Fill);
        }
    }

    public void OnPointer(int x, int y, int buttons) => Input.Add($"pointer {x},{y} {buttons}");

    public void OnKey(uint keysym, uint scancode, bool down) => Input.Add($"key {keysym:x}");

    public void Switch(int width, int height, uint fill)
    {
        Fill = fill;
        Memory = new byte[width * height * 4];
        for (int i = 0; i < width * height; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(Memory.AsSpan(i * 4), Painter is { } paint ? paint(i % width, i / width) : fill);
        }

        Console.SwitchSurface(GuestSurface.FromMemory(Memory, width, height, width * 4, DrmFourcc.Xrgb8888));
    }
}
