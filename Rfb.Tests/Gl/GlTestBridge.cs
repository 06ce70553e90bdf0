using ConsoleBridge;
using ConsoleBridge.Gl;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Gl;

/// <summary>Opens the bridge on Mesa's surfaceless platform; a missing EGL fails under CI and skips elsewhere.</summary>
internal static class GlTestBridge
{
    public const string Packages = "libegl1 libegl-mesa0 libgl1-mesa-dri";

    public static GlBridge Create(GlBridgeOptions? options = null)
    {
        options ??= new GlBridgeOptions();
        options.Platform = EglPlatform.Surfaceless;
        try
        {
            return new GlBridge(options);
        }
        catch (GlException ex)
        {
            string message = $"GL tests need EGL with Mesa's surfaceless platform ({ex.Message}). Install it with: apt-get install -y {Packages}";
            throw RequiredTool.IsCi
                ? Xunit.Sdk.FailException.ForFailure(message + " (the CI environment variable is set, so this is a failure)")
                : Xunit.Sdk.SkipException.ForSkip(message);
        }
    }

    /// <summary>The shadow as an image.</summary>
    public static ImageRgb Snapshot(DisplayConsole console)
    {
        using ShadowReadScope scope = console.ReadShadow();
        return new ImageRgb(console.Width, console.Height, scope.Pixels.ToArray());
    }

    /// <summary>Waits until the shadow equals <paramref name="expected"/>, then asserts it (with the differences when it never does).</summary>
    public static async Task WaitForShadowAsync(DisplayConsole console, ImageRgb expected, string context, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        ImageRgb actual;
        while (true)
        {
            actual = Snapshot(console);
            if ((actual.Width == expected.Width && actual.Height == expected.Height && actual.SameAs(expected)) || cts.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(10);
        }

        ImageAssert.Equal(expected, actual, context);
    }

    /// <summary>A picture with every channel varying and no two neighbouring rows alike.</summary>
    public static ImageRgb Pattern(int width, int height, int seed)
    {
        var random = new Random(seed);
        return ImageRgb.Create(width, height, (x, y) =>
            (x / 8 + y / 8) % 7 == 0 ? (uint)random.Next(0x1000000) : (uint)((x * 255 / width) << 16 | (y * 255 / height) << 8 | ((x * 3 + y * 5) & 0xFF)));
    }
}
