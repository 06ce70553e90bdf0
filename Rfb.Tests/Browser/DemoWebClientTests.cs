using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Browser;

/// <summary>The demo emulator as a person runs it: the URL it prints opens noVNC, which shows the guest.</summary>
public sealed partial class DemoWebClientTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"Open (http://127\.0\.0\.1:\d+/vnc\.html\?autoconnect=1) in a browser")]
    private static partial Regex OpenUrl();

    [Fact]
    public async Task PrintedUrl_WithNoOtherParameter_ConnectsAndShowsTheGuest()
    {
        HeadlessChromium.WebClientRoot();
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        await using BackgroundProcess demo = BackgroundProcess.Start(
            dotnet,
            [Path.Combine(AppContext.BaseDirectory, "DemoEmulator.dll"), "--size", "320x200", "--vnc", $"127.0.0.1:{VncPorts.FindFreePort()}", "--ws", "127.0.0.1:0"]);
        string url;
        using (var timeout = new CancellationTokenSource(s_wait))
        {
            Match match;
            while (!(match = OpenUrl().Match(demo.Output)).Success)
            {
                Assert.False(demo.HasExited, demo.Describe());
                Assert.False(timeout.IsCancellationRequested, "The demo printed no URL: " + demo.Describe());
                await Task.Delay(100);
            }

            url = match.Groups[1].Value;
        }

        await using HeadlessChromium chromium = await HeadlessChromium.LaunchAsync();
        IPage page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 480, Height = 320 } });
        await page.GotoAsync(url, new PageGotoOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => document.body.dataset.state === 'connected'", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal("demo", await page.TitleAsync());

        // The guest's desktop has many colours; wait until the canvas shows more than a blank fill.
        int colours = 0;
        using (var timeout = new CancellationTokenSource(s_wait))
        {
            while (colours < 8)
            {
                Assert.False(timeout.IsCancellationRequested, $"noVNC's canvas shows {colours} colours");
                await Task.Delay(200);
                colours = await page.EvaluateAsync<int>(
                    """
                    () => {
                        const canvas = document.querySelector('#screen canvas');
                        if (!canvas || canvas.width !== 320 || canvas.height !== 200) return 0;
                        const data = canvas.getContext('2d').getImageData(0, 0, 320, 200).data;
                        const seen = new Set();
                        for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
                        return seen.size;
                    }
                    """);
            }
        }
    }
}
