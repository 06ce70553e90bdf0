using ConsoleBridge;
using ConsoleBridge.Gl;
using Microsoft.Extensions.Logging;

namespace GlScanout;

/// <summary>
/// Publishes known pictures (a whole frame, then a partial update) through each way the driver
/// offers (dma-buf export and import, EGLImage) and checks the shadow pixel by pixel.
/// </summary>
internal static class SelfTest
{
    public static int Run(GlBridgeOptions options, ILogger logger)
    {
        using var bridge = new GlBridge(options, logger);
        Console.WriteLine($"EGL {bridge.Platform} on {bridge.DeviceName}; GL renderer {bridge.Renderer}; " +
            $"dma-buf export {bridge.CanExportDmaBuf}, import {bridge.CanImportDmaBuf}, modifiers {bridge.CanImportModifiers}; persistent mapping {bridge.PersistentMapping}");
        int failures = 0;
        if (bridge.CanExportDmaBuf && bridge.CanImportDmaBuf)
        {
            failures += Check(bridge, forceTexture: false);
        }
        else
        {
            Console.WriteLine("dma-buf: NOT RUN (this driver cannot export and import dma-bufs)");
        }

        failures += Check(bridge, forceTexture: true);
        if (bridge.CanImportDmaBuf)
        {
            failures += CudaDmaBuf.Check(bridge);
        }

        Console.WriteLine(failures == 0 ? "SELF-TEST PASS" : $"SELF-TEST FAIL ({failures})");
        return failures == 0 ? 0 : 1;
    }

    private static int Check(GlBridge bridge, bool forceTexture)
    {
        const int width = 641, height = 479; // odd sizes: no row or tile lines up by accident
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        GlException? failure = null;
        console.ScanoutFailed += (_, e) => failure = e.Error;
        using var scene = new SceneProducer(bridge, width, height);
        uint[] picture = new uint[width * height];
        var random = new Random(42);
        for (int i = 0; i < picture.Length; i++)
        {
            picture[i] = (uint)random.Next(0x1000000);
        }

        scene.Upload(picture);
        nint fence = scene.Fence();
        scene.Publish(console, forceTexture);
        console.GlUpdate(0, 0, width, height, fence);
        string what = scene.Sharing;
        if (!forceTexture && !scene.IsDmaBuf)
        {
            Console.WriteLine($"dma-buf: NOT RUN ({what})");
        }
        int bad = Wait(console, picture, width, height, () => failure);
        Report($"{what}: whole frame", bad, width * height, failure);

        // A partial update: only the reported rectangle may change.
        scene.Fill(100, 50, 200, 120, 0x00C0FFEE);
        scene.Fill(0, 400, width, 30, 0x00BADBAD); // drawn, not reported
        for (int y = 50; y < 170; y++)
        {
            picture.AsSpan(y * width + 100, 200).Fill(0x00C0FFEE);
        }

        console.GlUpdate(100, 50, 200, 120, scene.Fence());
        int partial = Wait(console, picture, width, height, () => failure);
        Report($"{what}: partial update", partial, width * height, failure);
        return (bad == 0 ? 0 : 1) + (partial == 0 ? 0 : 1);
    }

    internal static int Wait(DisplayConsole console, uint[] expected, int width, int height, Func<GlException?> failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        int bad;
        do
        {
            bad = Differences(console, expected, width, height);
            if (bad == 0 || failure() is not null)
            {
                return bad;
            }

            Thread.Sleep(10);
        }
        while (DateTime.UtcNow < deadline);
        return bad;
    }

    private static int Differences(DisplayConsole console, uint[] expected, int width, int height)
    {
        using ShadowReadScope shadow = console.ReadShadow();
        if (console.Width != width || console.Height != height)
        {
            return expected.Length;
        }

        int bad = 0;
        ReadOnlySpan<uint> pixels = shadow.Pixels;
        for (int i = 0; i < expected.Length; i++)
        {
            bad += pixels[i] == expected[i] ? 0 : 1;
        }

        return bad;
    }

    internal static void Report(string what, int bad, int total, GlException? failure)
    {
        string result = bad == 0 ? "PASS" : $"FAIL ({bad} of {total} pixels differ{(failure is null ? "" : "; " + failure.Message)})";
        Console.WriteLine($"{what}: {result}");
    }
}
