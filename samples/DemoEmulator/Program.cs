using ConsoleBridge;
using DemoEmulator.Guest;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Rfb;
using Rfb.Recording;
using Rfb.Security;
using Rfb.Transports;

namespace DemoEmulator;

/// <summary>
/// The demo emulator: one head drawn by a small guest (or replayed from an FBS trace), served
/// over VNC. Ctrl+C stops it gracefully.
/// </summary>
internal static class Program
{
    /// <summary>Printed once a trace has been replayed to its end; tests wait for it.</summary>
    internal const string TraceFinishedMessage = "Trace finished";

    private static async Task<int> Main(string[] args)
    {
        DemoOptions options;
        try
        {
            options = DemoOptions.Parse(args);
        }
        catch (DemoOptionsException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.Out.Write(DemoOptions.HelpText);
            return 0;
        }

        VncPassword? password = null;
        if (options.PasswordFile is not null)
        {
            try
            {
                password = VncPassword.FromFile(options.PasswordFile);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }
        }

        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(options.LogLevel));
        ILogger logger = loggerFactory.CreateLogger("DemoEmulator");

        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });

        // Head 1 is --size; each further head is a little smaller, so the heads differ in size and
        // in how the guest lays out its windows. Every head is a guest of its own that follows
        // clients' size requests (a cooperative guest).
        using var desktop = new Desktop();
        var heads = new List<DisplayConsole>();
        for (int i = 0; i < options.Heads; i++)
        {
            heads.Add(new DisplayConsole());
        }

        using var disposeHeads = new HeadsDisposer(heads);
        DisplayConsole console = heads[0];
        var serverOptions = new RfbServerOptions { DesktopName = options.TraceFile is null ? "demo" : Path.GetFileName(options.TraceFile), Password = password };
        serverOptions.Endpoints.Clear();
        serverOptions.Endpoints.Add(options.Vnc);
        serverOptions.WebSocket.Endpoints.Add(options.WebSocket ?? WebSocketTransportOptions.DefaultEndpoint);
        string webRoot = Path.Combine(AppContext.BaseDirectory, "web");
        bool webClient = File.Exists(Path.Combine(webRoot, "novnc", "lib", "rfb.js"));
        if (webClient)
        {
            serverOptions.WebSocket.StaticFilesRoot = webRoot;
        }
        else
        {
            logger.LogWarning("noVNC's files are missing (the build fetches them with npm): the WebSocket endpoint serves no web client");
        }

        await using var server = new RfbServer(desktop, serverOptions, loggerFactory);

        var guests = new List<Task>();
        Task guest;
        for (int i = 1; i < heads.Count; i++)
        {
            int width = Math.Max(320, options.Width - 160 * i), height = Math.Max(240, options.Height - 120 * i);
            var machine = new GuestMachine(heads[i], width, height, loggerFactory.CreateLogger($"Guest{i + 1}"));
            guests.Add(machine.RunAsync(stopping.Token));
        }

        if (options.TraceFile is not null)
        {
            TracePlayer player;
            try
            {
                player = new TracePlayer(options.TraceFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TraceFormatException)
            {
                Console.Error.WriteLine($"{options.TraceFile}: {ex.Message}");
                return 2;
            }

            guest = PlayTraceAsync(player, console, logger, stopping.Token);
        }
        else
        {
            var machine = new GuestMachine(console, options.Width, options.Height, loggerFactory.CreateLogger("Guest"));
            guest = machine.RunAsync(stopping.Token);
        }

        foreach (DisplayConsole head in heads)
        {
            DesktopHead added = desktop.AddHead(head);
            if (head.Host is GuestMachine m)
            {
                head.Host = new CooperativeGuest(m, added);
            }
        }

        desktop.HotplugHandler = (added, removed) => ReplugHeads(desktop, added, removed);

        guests.Add(guest);
        guest = Task.WhenAll(guests);

        try
        {
            try
            {
                await server.StartAsync(stopping.Token);
            }
            catch (System.Net.Sockets.SocketException ex) when (options.WebSocket is null)
            {
                // The WebSocket endpoint is on by default, not asked for: without it the demo still serves VNC.
                logger.LogWarning("Cannot listen on {Endpoint} for WebSocket clients ({Message}); serving VNC only", serverOptions.WebSocket.Endpoints[0], ex.Message);
                serverOptions.WebSocket.Endpoints.Clear();
                await server.StartAsync(stopping.Token);
            }
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            Console.Error.WriteLine($"Cannot listen on {options.Vnc}{(options.WebSocket is null ? string.Empty : $" or {options.WebSocket}")}: {ex.Message}");
            stopping.Cancel();
            await guest.ConfigureAwait(false);
            return 1;
        }

        logger.LogInformation("Serving VNC on {Endpoints}; Ctrl+C stops", string.Join(", ", server.LocalEndpoints));
        foreach (System.Net.IPEndPoint endpoint in server.WebSocketEndpoints)
        {
            string host = endpoint.Address.Equals(System.Net.IPAddress.Any) || endpoint.Address.Equals(System.Net.IPAddress.IPv6Any)
                ? "127.0.0.1"
                : endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
            logger.LogInformation(webClient ? "Open http://{Host}:{Port}/vnc.html?autoconnect=1 in a browser" : "WebSocket clients: ws://{Host}:{Port}/websockify", host, endpoint.Port);
        }
        try
        {
            await guest;
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }
        catch (TraceFormatException ex)
        {
            logger.LogError("The trace could not be played: {Message}", ex.Message);
            return 1;
        }

        await server.StopAsync();
        return 0;
    }

    private static async Task PlayTraceAsync(TracePlayer player, DisplayConsole console, ILogger logger, CancellationToken token)
    {
        TracePlaybackResult result = await Task.Run(() => player.PlayAsync(console, TracePace.Recorded, token), token);
        // Make sure the last frame is in the shadow before saying it is shown.
        console.Refresh();
        logger.LogInformation("{Message}: {Updates} updates in {Seconds:0.00} s; holding the final frame", TraceFinishedMessage, result.Updates, result.Elapsed.TotalSeconds);
    }

    /// <summary>Disposes the heads' consoles when the demo ends.</summary>
    private sealed class HeadsDisposer(List<DisplayConsole> heads) : IDisposable
    {
        public void Dispose()
        {
            foreach (DisplayConsole head in heads)
            {
                head.Dispose();
            }
        }
    }

    /// <summary>
    /// The demo's hotplug: a client that lists screens under new ids (TigerVNC's viewer gives every
    /// monitor that matches no screen exactly a new random id) gets the heads it left out back
    /// under those ids. Heads and screens are paired in left-to-right order; each head is unplugged,
    /// plugged back in with the same console under the new id at the requested position, and its
    /// guest switches to the requested size. Any other change of the number of heads is refused.
    /// </summary>
    private static bool ReplugHeads(Desktop desktop, IReadOnlyList<DesktopHeadRequest> added, IReadOnlyList<DesktopHead> removed)
    {
        if (added.Count != removed.Count || added.Any(r => r.ScreenId < 1) || removed.Any(h => h.Console.Host is not CooperativeGuest))
        {
            return false;
        }

        DesktopLayout layout = desktop.Layout;
        DesktopHead[] oldHeads = [.. removed.OrderBy(h => layout.Find(h.ScreenId)?.Bounds.X ?? 0).ThenBy(h => layout.Find(h.ScreenId)?.Bounds.Y ?? 0)];
        DesktopHeadRequest[] requests = [.. added.OrderBy(r => r.Bounds.X).ThenBy(r => r.Bounds.Y)];
        for (int i = 0; i < oldHeads.Length; i++)
        {
            var guest = (CooperativeGuest)oldHeads[i].Console.Host;
            desktop.RemoveHead(oldHeads[i]);
            guest.Head = desktop.AddHead(oldHeads[i].Console, new DesktopPosition(requests[i].Bounds.X, requests[i].Bounds.Y), requests[i].ScreenId);
            guest.OnUiInfo(requests[i]);
        }

        return true;
    }

    /// <summary>
    /// A guest's input host that also follows clients' size requests: a cooperative guest sets
    /// the requested mode at once (as a guest driver does on a new preferred size) and the head
    /// is placed where the client asked.
    /// </summary>
    private sealed class CooperativeGuest(GuestMachine guest, DesktopHead head) : IConsoleHost
    {
        /// <summary>The guest's head; a new one when the head was plugged back in under another screen id.</summary>
        public DesktopHead Head { get; set; } = head;

        public bool SupportsUiInfo => true;

        public void OnUiInfo(DesktopHeadRequest request)
        {
            DesktopHead head = Head;
            if (head.IsAttached)
            {
                head.Desktop.MoveHead(head, new DesktopPosition(request.Bounds.X, request.Bounds.Y));
            }

            if (request.Width != guest.Width || request.Height != guest.Height)
            {
                guest.Resize(request.Width, request.Height);
            }
        }

        public void OnKey(uint keysym, uint scancode, bool down) => guest.OnKey(keysym, scancode, down);

        public void OnPointer(int x, int y, int buttons) => guest.OnPointer(x, y, buttons);

        public void OnClipboard(string text) => guest.OnClipboard(text);
    }
}
