using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using ConsoleBridge;
using ConsoleBridge.Gl;
using Microsoft.Extensions.Logging;
using Rfb;

namespace GlScanout;

/// <summary>
/// A GL scanout served over VNC: an animated scene rendered with GL into a texture, exported as a
/// dma-buf where the driver can (shared as an EGLImage where it cannot), published on a console.
/// Also a self-test and a readback benchmark for machines with a GPU.
/// </summary>
internal static class Program
{
    private const string Help = """
        GlScanout: an animated GL scene published as a GL scanout and served over VNC.

          --vnc ADDR:PORT      where to listen (default 127.0.0.1:5900)
          --size WxH           scene size (default 1024x768)
          --texture            share the texture as an EGLImage even where dma-bufs work
          --platform P         EGL platform: auto (default), device or surfaceless
          --ring N             pixel-pack buffers per head (default 3)
          --finish             the producer waits for its rendering (glFinish) instead of handing over EGL fences
          --no-persistent      map each pixel-pack buffer after its fence instead of persistently
          --self-test          render known pictures, publish them (dma-buf and EGLImage), check the read-back pixels
          --bench WxH          measure ring and synchronous readback at WxH (repeatable)
          --bench-readback WxH readback variants (synchronous, ring, staged, strips, GPU damage), rendered in the
                               bridge's own context (no sharing between contexts; repeatable)
          --variants A,B       with --bench-readback: only the variants whose names contain one of these
                               (synchronous, ring, 8888_REV, strips, staged, boxes, drawn, static, GPU damage, fragment, render only, timeline; default all)
          --ahead N            with --bench-readback: frames the producer may render beyond the last one shown (default 4)
          --seconds N          seconds of each throughput measurement (default 5)
          --help
        """;

    private static async Task<int> Main(string[] args)
    {
        IPEndPoint vnc = new(IPAddress.Loopback, 5900);
        int width = 1024, height = 768, ring = 3, seconds = 5;
        bool texture = false, selfTest = false, persistent = true;
        var platform = EglPlatform.Auto;
        var benches = new List<(int, int)>();
        var readbackBenches = new List<(int, int)>();
        var variants = new List<string>();
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--vnc":
                        string value = Next();
                        if (!IPEndPoint.TryParse(value, out IPEndPoint? endPoint) || endPoint.Port == 0)
                        {
                            throw new ArgumentException($"--vnc {value}: expected ADDR:PORT, for example 127.0.0.1:5901.");
                        }

                        vnc = endPoint;
                        break;
                    case "--size":
                        (width, height) = ParseSize(Next());
                        break;
                    case "--texture":
                        texture = true;
                        break;
                    case "--platform":
                        platform = Enum.Parse<EglPlatform>(Next(), ignoreCase: true);
                        break;
                    case "--ring":
                        ring = int.Parse(Next(), CultureInfo.InvariantCulture);
                        break;
                    case "--finish":
                        SceneProducer.FinishInsteadOfFence = true;
                        break;
                    case "--no-persistent":
                        persistent = false;
                        break;
                    case "--self-test":
                        selfTest = true;
                        break;
                    case "--bench":
                        benches.Add(ParseSize(Next()));
                        break;
                    case "--bench-readback":
                        readbackBenches.Add(ParseSize(Next()));
                        break;
                    case "--variants":
                        variants.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                        break;
                    case "--ahead":
                        ReadbackBenchmark.Ahead = int.Parse(Next(), CultureInfo.InvariantCulture);
                        break;
                    case "--seconds":
                        seconds = int.Parse(Next(), CultureInfo.InvariantCulture);
                        break;
                    case "--help":
                    case "-h":
                        Console.Out.Write(Help);
                        return 0;
                    default:
                        throw new ArgumentException($"Unknown option {args[i]}; see --help.");
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(LogLevel.Information));
        ILogger logger = loggerFactory.CreateLogger("GlScanout");
        var options = new GlBridgeOptions { Platform = platform, RingDepth = ring, PersistentMapping = persistent };
        try
        {
            if (selfTest || benches.Count > 0 || readbackBenches.Count > 0)
            {
                int status = 0;
                if (selfTest)
                {
                    status |= SelfTest.Run(options, logger);
                }

                foreach ((int w, int h) in benches)
                {
                    Benchmark.Run(options, w, h, seconds, logger);
                }

                foreach ((int w, int h) in readbackBenches)
                {
                    ReadbackBenchmark.Run(options, w, h, seconds, variants, logger);
                }

                return status;
            }

            return await ServeAsync(options, width, height, texture, vnc, loggerFactory, logger);
        }
        catch (GlException ex)
        {
            logger.LogError("{Message}", ex.Message);
            return 1;
        }
    }

    private static async Task<int> ServeAsync(GlBridgeOptions options, int width, int height, bool texture, IPEndPoint vnc, ILoggerFactory loggerFactory, ILogger logger)
    {
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

        using var bridge = new GlBridge(options, loggerFactory.CreateLogger("GlBridge"));
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { Logger = logger });
        console.Gl = bridge;
        using var scene = new SceneProducer(bridge, width, height);
        scene.Render(0);
        nint first = scene.Fence();
        scene.Publish(console, texture);
        console.GlUpdate(0, 0, width, height, first);
        logger.LogInformation("Scene {Width}x{Height} rendered by {Renderer}, shared as {Sharing}", width, height, bridge.Renderer, scene.Sharing);

        var serverOptions = new RfbServerOptions { DesktopName = "GL scanout" };
        serverOptions.Endpoints.Clear();
        serverOptions.Endpoints.Add(vnc);
        await using var server = new RfbServer(console, serverOptions, loggerFactory);
        await server.StartAsync(stopping.Token);
        logger.LogInformation("Serving VNC on {Endpoints}; Ctrl+C stops", string.Join(", ", server.LocalEndpoints));

        var clock = Stopwatch.StartNew();
        long frame = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                frame++;
                scene.Render(frame);
                console.GlUpdate(0, 0, width, height, scene.Fence());
                long next = frame * 1000 / 60;
                long wait = next - clock.ElapsedMilliseconds;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), stopping.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await server.StopAsync();
        return 0;
    }

    private static (int Width, int Height) ParseSize(string value)
    {
        string[] parts = value.Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int w) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int h)
            || w is < 16 or > GuestSurface.MaxDimension || h is < 16 or > GuestSurface.MaxDimension)
        {
            throw new ArgumentException($"{value}: expected WxH, each 16..{GuestSurface.MaxDimension}.");
        }

        return (w, h);
    }
}
