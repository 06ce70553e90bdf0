using System.Net;
using Microsoft.Playwright;
using Rfb.Tests.EndToEnd.Tools;
using Rfb.Tests.MultiHead;

namespace Rfb.Tests.Browser;

/// <summary>
/// noVNC's remote resize (<c>resize=remote</c>) in headless Chromium: the page's size reaches the
/// head's host as a size request (one screen, ExtendedDesktopSize and SetDesktopSize), a
/// cooperative host switches the head to it, and the canvas then shows the head at that size.
/// </summary>
public sealed class NoVncRemoteResizeTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private static uint Pattern(int x, int y) => (uint)((x * 7 & 0xFF) << 16 | (y * 3 & 0xFF) << 8 | ((x + y) & 0xFF));

    [Fact]
    public async Task RemoteResize_PageResized_HeadFollowsAndCanvasShowsItPixelExact()
    {
        string root = HeadlessChromium.WebClientRoot();
        await using var server = new MultiHeadServer(null, o =>
        {
            o.WebSocket.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
            o.WebSocket.StaticFilesRoot = root;
        });
        ResizingHost head = server.AddHead(1, 1);
        head.Painter = Pattern;
        head.Switch(160, 96, 0);
        await server.Server.StartAsync(TestContext.Current.CancellationToken);
        await using HeadlessChromium chromium = await HeadlessChromium.LaunchAsync();
        IPage page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 420, Height = 310 } });
        await page.GotoAsync($"http://127.0.0.1:{server.Server.WebSocketEndpoints[0].Port}/vnc.html?autoconnect=1&resize=remote", new PageGotoOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => document.body.dataset.state === 'connected'", null, new PageWaitForFunctionOptions { Timeout = 30_000 });

        (int w1, int h1) = await WaitForHeadToFollowAsync(page, head, previous: (160, 96));
        await page.SetViewportSizeAsync(530, 250);
        (int w2, int h2) = await WaitForHeadToFollowAsync(page, head, previous: (w1, h1));
        Assert.True(w2 > w1 && h2 < h1, $"the page grew wider and lower, the head went from {w1}x{h1} to {w2}x{h2}");
    }

    /// <summary>
    /// Waits until the host got a request for a size other than <paramref name="previous"/>, has
    /// switched to it, and noVNC's canvas shows the head at that size pixel-exact.
    /// </summary>
    private static async Task<(int Width, int Height)> WaitForHeadToFollowAsync(IPage page, ResizingHost head, (int Width, int Height) previous)
    {
        using var timeout = new CancellationTokenSource(s_wait);
        ImageRgb canvas = new(1, 1);
        while (!timeout.IsCancellationRequested)
        {
            global::ConsoleBridge.DesktopHeadRequest? last = head.Requests.Count > 0 ? head.Requests[^1] : null;
            if (last is { } r && (r.Width, r.Height) != previous)
            {
                canvas = await ReadCanvasAsync(page);
                ImageRgb expected = ImageRgb.Create(r.Width, r.Height, Pattern);
                if (canvas.Width == r.Width && canvas.Height == r.Height && canvas.SameAs(expected))
                {
                    Assert.Equal(1, r.ScreenId);
                    Assert.Equal((0, 0), (r.Bounds.X, r.Bounds.Y));
                    return (r.Width, r.Height);
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"The head did not follow the page: requests {string.Join(", ", head.Requests)}, canvas {canvas.Width}x{canvas.Height}.");
        return default;
    }

    private static async Task<ImageRgb> ReadCanvasAsync(IPage page)
    {
        string text = await page.EvaluateAsync<string>(
            """
            () => {
                const canvas = document.querySelector('#screen canvas');
                if (!canvas || canvas.width === 0) return '';
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let binary = '';
                for (let i = 0; i < data.length; i += 0x8000) {
                    binary += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
                }
                return canvas.width + ',' + canvas.height + ',' + btoa(binary);
            }
            """);
        if (text.Length == 0)
        {
            return new ImageRgb(1, 1);
        }

        string[] parts = text.Split(',', 3);
        int width = int.Parse(parts[0]), height = int.Parse(parts[1]);
        byte[] rgba = Convert.FromBase64String(parts[2]);
        return ImageRgb.Create(width, height, (x, y) =>
        {
            int i = (y * width + x) * 4;
            return (uint)(rgba[i] << 16 | rgba[i + 1] << 8 | rgba[i + 2]);
        });
    }
}
