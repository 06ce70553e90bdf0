using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using ConsoleBridge;
using Rfb;
using Rfb.Recording;
using TraceBench.Client;
using Rfb.Transports;

namespace TraceBench.Servers;

/// <summary>
/// This library's server in the bench's own process: a <see cref="DisplayConsole"/> with the
/// refresh thread off (the replay calls <see cref="DisplayConsole.Refresh"/> after each update,
/// as an emulator that refreshes at the end of its frame does), an <see cref="RfbServer"/>, and a
/// loopback listener of the bench's own that sets the socket up as the library's TCP transport
/// does (TCP_NODELAY, 64 KiB pipe buffers) but records when each update was written.
/// The first client to connect is the measuring one; any later one (<c>--clients</c>) gets a
/// session of its own on the same server.
/// </summary>
internal sealed class RfbBenchServer : IBenchServer
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private DisplayConsole? _console;
    private RfbServer? _server;
    private TraceFramebuffer? _guest;
    private LoadedTrace? _trace;
    private FlushRecordingWriter? _writer;
    private readonly List<Task> _sessions = new();
    private Task? _accept;
    private long _updatedTicks;

    public string Name => "rfb";

    public IReadOnlyList<int> ServerProcessIds => [Environment.ProcessId];

    public int MemoryProcessId => Environment.ProcessId;

    /// <summary>Whether a recorded CopyRect is reported to the console as a blit (true) or only invalidated, as by an emulator that cannot report blits.</summary>
    public bool ReportBlits { get; init; } = true;

    /// <summary>The console's <see cref="DisplayConsoleOptions.DetectScrolls"/>.</summary>
    public bool DetectScrolls { get; init; } = true;

    /// <summary>For tests: changes the server's options before it starts.</summary>
    internal Action<RfbServerOptions>? ConfigureForTests { get; init; }

    /// <summary>The replayed head's console (for tests).</summary>
    internal DisplayConsole? Console => _console;

    /// <summary>(stream offset, first-write ticks) of every flush to the measuring client so far (for tests).</summary>
    internal (long Offset, long Ticks)[] WrittenGroups() => _writer?.Groups() ?? [];

    public async Task<int> StartAsync(LoadedTrace trace, CancellationToken cancellationToken)
    {
        _trace = trace;
        _console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false, InitialWidth = trace.Width, InitialHeight = trace.Height, DetectScrolls = DetectScrolls });
        _guest = new TraceFramebuffer(trace.Width, trace.Height);
        _console.SwitchSurface(_guest.CreateSurface());

        // Subscribed before the server's desktop, so this handler runs first when a refresh or a
        // move raises Updated: the time it notes precedes any session being woken by that change.
        _console.Updated += (_, _) => Volatile.Write(ref _updatedTicks, Stopwatch.GetTimestamp());
        var options = new RfbServerOptions { DesktopName = trace.Name };
        ConfigureForTests?.Invoke(options);
        _server = new RfbServer(_console, options);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        _accept = AcceptAsync(cancellationToken);

        // The server's start-up warm-up (RfbServerOptions.WarmUpEncoders) finishes before the
        // client is started, as a server's start-up does before anyone connects: replayed
        // updates then neither wait for the JIT nor share the CPUs with the warm-up.
        await _server.WarmUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        return ((IPEndPoint)_listener.LocalEndPoint!).Port;
    }

    public Task<AppliedUpdate> ApplyAsync(int index, CancellationToken cancellationToken)
    {
        DisplayConsole console = _console!;
        TraceFramebuffer guest = _guest!;
        long before = Generation(console);
        Volatile.Write(ref _updatedTicks, 0);
        long start = Stopwatch.GetTimestamp();
        foreach (TraceOperation op in _trace!.Updates[index].Operations)
        {
            switch (op.Kind)
            {
                case TraceOperationKind.Raw:
                    guest.Apply(op);
                    console.Invalidate(op.Rect);
                    break;
                case TraceOperationKind.Copy:
                    guest.Apply(op);
                    if (ReportBlits)
                    {
                        console.CopyRect(op.SourceX, op.SourceY, op.X, op.Y, op.Width, op.Height);
                    }
                    else
                    {
                        console.Invalidate(op.Rect);
                    }

                    break;
                case TraceOperationKind.DesktopSize:
                    guest.Apply(op);
                    console.SwitchSurface(guest.CreateSurface());
                    break;
            }
        }

        console.Refresh();

        // Visible from the last time this update's changes raised Updated: the refresh (or a
        // move) has released the shadow by then, and a session woken by it may start writing
        // before Refresh returns here, so the time after the call would be too late.
        long raised = Volatile.Read(ref _updatedTicks);
        long visible = raised != 0 ? raised : Stopwatch.GetTimestamp();
        return Task.FromResult(new AppliedUpdate(start, visible, Generation(console) != before));
    }

    public int[]? MatchUpdates(IReadOnlyList<AppliedUpdate> applied, IReadOnlyList<UpdateRecord> received)
    {
        if (_writer is null)
        {
            return null;
        }

        // The update that carries a replayed update is the first one whose first byte was
        // written after the refresh that made it visible.
        (long Offset, long Ticks)[] groups = _writer.Groups();
        var byOffset = new Dictionary<long, int>();
        for (int j = 0; j < received.Count; j++)
        {
            byOffset[received[j].StreamOffset] = j;
        }

        var match = new int[applied.Count];
        int g = 0;
        for (int i = 0; i < applied.Count; i++)
        {
            while (g < groups.Length && groups[g].Ticks <= applied[i].VisibleTicks)
            {
                g++;
            }

            int k = g;
            match[i] = -1;
            while (k < groups.Length && !byOffset.ContainsKey(groups[k].Offset))
            {
                k++;
            }

            if (k < groups.Length)
            {
                match[i] = byOffset[groups[k].Offset];
            }
        }

        return match;
    }

    /// <summary>Waits until every session has ended (its client gone); false when one is still running at <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitSessionsEndedAsync(TimeSpan timeout)
    {
        Task[] sessions;
        lock (_sessions)
        {
            sessions = _sessions.ToArray();
        }

        try
        {
            await Task.WhenAll(sessions).WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception) when (sessions.All(t => t.IsCompleted))
        {
            // A session that ended with an error has ended too.
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        if (_server is not null)
        {
            await _server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        if (_accept is not null)
        {
            await _accept.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        await WaitSessionsEndedAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);

        _console?.Dispose();
    }

    private static long Generation(DisplayConsole console)
    {
        using ShadowReadScope shadow = console.ReadShadow();
        return shadow.Tiles.Generation;
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            client.NoDelay = true;
            var stream = new NetworkStream(client, ownsSocket: true);
            PipeWriter output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
            if (_writer is null)
            {
                // The measuring client: its writes are timed.
                output = _writer = new FlushRecordingWriter(output);
            }

            var pipe = new DuplexPipe(PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024)), output);
            var remote = (IPEndPoint)client.RemoteEndPoint!;
            lock (_sessions)
            {
                _sessions.Add(_server!.RunSessionAsync(pipe, remote.ToString(), remote.Address));
            }
        }
    }
}
