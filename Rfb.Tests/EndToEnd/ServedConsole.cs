using System.Net;
using ConsoleBridge;
using Rfb.Tests.EndToEnd.Tools;
using Rfb.Tests.Protocol;

namespace Rfb.Tests.EndToEnd;

/// <summary>A real server on a free loopback port 5900+N, showing one head whose pixels the test controls.</summary>
internal sealed class ServedConsole : IAsyncDisposable
{
    private ServedConsole(int port, int width, int height, Action<RfbServerOptions>? configure)
    {
        Port = port;
        Width = width;
        Height = height;
        Memory = new byte[width * height * 4];
        Host = new RecordingHost();
        Console = new DisplayConsole(Host);
        Console.SwitchSurface(GuestSurface.FromMemory(Memory, width, height, width * 4, DrmFourcc.Xrgb8888));
        var options = new RfbServerOptions { DesktopName = "e2e" };
        options.Endpoints.Clear();
        options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, port));
        configure?.Invoke(options);
        Server = new RfbServer(Console, options);
    }

    public int Port { get; }

    public int Width { get; }

    public int Height { get; }

    public byte[] Memory { get; }

    public RecordingHost Host { get; }

    public DisplayConsole Console { get; }

    public RfbServer Server { get; }

    public static async Task<ServedConsole> StartAsync(int width, int height, Action<RfbServerOptions>? configure = null)
    {
        var served = new ServedConsole(VncPorts.FindFreePort(), width, height, configure);
        await served.Server.StartAsync();
        return served;
    }

    /// <summary>Draws a pattern with every channel varying (and garbage in the X byte, which must never show).</summary>
    public ImageRgb DrawPattern(int seed)
    {
        var expected = new ImageRgb(Width, Height);
        var random = new Random(seed);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                uint rgb = (uint)((x * 255 / Width) << 16 | (y * 255 / Height) << 8 | ((x ^ y) & 0xFF));
                if ((x / 16 + y / 16) % 5 == 0)
                {
                    rgb = (uint)random.Next(0x1000000);
                }

                expected.Pixels[y * Width + x] = rgb;
                BitConverter.TryWriteBytes(Memory.AsSpan((y * Width + x) * 4), rgb | 0xA5000000u);
            }
        }

        Console.Invalidate(0, 0, Width, Height);
        Console.Refresh(); // the shadow holds the picture before any client asks for it
        return expected;
    }

    /// <summary>Draws photograph-like content (smooth shading with fine noise), which Tight sends as JPEG when allowed.</summary>
    public ImageRgb DrawPhoto(int seed)
    {
        var expected = new ImageRgb(Width, Height);
        var random = new Random(seed);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int r = Math.Clamp((x * 255 / Width) + random.Next(-6, 7), 0, 255);
                int g = Math.Clamp((y * 255 / Height) + random.Next(-6, 7), 0, 255);
                int b = Math.Clamp(128 + (int)(60 * Math.Sin((x + y) / 15.0)) + random.Next(-6, 7), 0, 255);
                uint rgb = (uint)((r << 16) | (g << 8) | b);
                expected.Pixels[y * Width + x] = rgb;
                BitConverter.TryWriteBytes(Memory.AsSpan((y * Width + x) * 4), rgb);
            }
        }

        Console.Invalidate(0, 0, Width, Height);
        Console.Refresh(); // the shadow holds the picture before any client asks for it
        return expected;
    }

    /// <summary>Fills a rectangle of guest memory and invalidates it; updates <paramref name="expected"/> to match.</summary>
    public void Fill(ImageRgb expected, int x0, int y0, int width, int height, uint rgb)
    {
        for (int y = y0; y < y0 + height; y++)
        {
            for (int x = x0; x < x0 + width; x++)
            {
                expected.Pixels[y * Width + x] = rgb;
                BitConverter.TryWriteBytes(Memory.AsSpan((y * Width + x) * 4), rgb);
            }
        }

        Console.Invalidate(x0, y0, width, height);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Console.Dispose();
    }
}
