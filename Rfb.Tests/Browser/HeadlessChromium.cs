using Microsoft.Playwright;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Browser;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright. Playwright never downloads a browser here:
/// it is pointed at <c>/usr/bin/chromium</c> (package chromium).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly string[] s_arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        string chromium = RequiredTool.Locate("chromium", "chromium");
        IPlaywright playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = s_arguments,
                Timeout = 60_000,
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>The folder of the web client that the demo's build assembles (our page and noVNC from npm).</summary>
    public static string WebClientRoot()
    {
        string root = Path.Combine(AppContext.BaseDirectory, "web");
        if (!File.Exists(Path.Combine(root, "novnc", "lib", "rfb.js")))
        {
            string message = $"noVNC's files are missing from {root}: the DemoEmulator build fetches them with npm (Debian package npm).";
            if (RequiredTool.IsCi)
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        return root;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _playwright.Dispose();
    }
}
