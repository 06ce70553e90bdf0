using System.Buffers.Binary;
using ConsoleBridge;
using DemoEmulator.Guest;
using Microsoft.Extensions.Logging;

namespace Rfb.Tests.Demo;

public sealed class GuestMachineTests
{
    private const int W = 640;
    private const int H = 360;
    private static readonly TimeSpan s_noon = new(12, 0, 0);

    private static DisplayConsole NewConsole() => new(null, new DisplayConsoleOptions { AutoRefresh = false });

    private static uint PixelAt(GuestMachine guest, int x, int y) =>
        BinaryPrimitives.ReadUInt32LittleEndian(guest.Framebuffer.AsSpan((y * guest.Width + x) * 4)) & 0xFFFFFF;

    private static void RenderFrames(GuestMachine guest, long first, long last)
    {
        for (long f = first; f <= last; f++)
        {
            guest.RenderFrame(f, s_noon + TimeSpan.FromTicks(f * GuestMachine.FrameInterval.Ticks));
        }
    }

    /// <summary>Redraws the machine's current scene state from scratch, as a reference.</summary>
    private static byte[] FullRedraw(GuestMachine guest)
    {
        var pixels = new uint[guest.Width * guest.Height];
        guest.Scene.Compose(new Canvas(pixels, guest.Width, guest.Height, new PixelRect(0, 0, guest.Width, guest.Height)));
        var bytes = new byte[pixels.Length * 4];
        for (int i = 0; i < pixels.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), pixels[i]);
        }

        return bytes;
    }

    private static void Type(GuestMachine guest, string text)
    {
        foreach (char c in text)
        {
            guest.OnKey(c, 0, true);
            guest.OnKey(c, 0, false);
        }
    }

    private static void Click(GuestMachine guest, int x, int y)
    {
        guest.OnPointer(x, y, 1);
        guest.OnPointer(x, y, 0);
    }

    private static bool Inside(PixelRect r, int x, int y) => x >= r.X && x < r.Right && y >= r.Y && y < r.Bottom;

    [Fact]
    public void Constructor_Always_SwitchesConsoleToGuestMemoryAndBecomesHost()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        Assert.Same(guest, console.Host);
        GuestSurface surface = Assert.IsType<GuestSurface>(console.Surface);
        Assert.Equal((W, H, W * 4, DrmFourcc.Xrgb8888), (surface.Width, surface.Height, surface.Stride, surface.Format));
    }

    [Fact]
    public void RenderFrame_FirstFrame_InvalidatesWholeScreen()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        guest.RenderFrame(0, s_noon);
        Assert.Equal([new PixelRect(0, 0, W, H)], guest.LastDamage.ToArray());
    }

    [Fact]
    public void RenderFrame_LaterFrames_InvalidateOnlyPartOfScreen()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        int tileCount;
        long generation;
        guest.RenderFrame(0, s_noon);
        console.Refresh();
        using (ShadowReadScope shadow = console.ReadShadow())
        {
            tileCount = shadow.Tiles.TileCount;
            generation = shadow.Tiles.Generation;
        }

        var changed = new bool[tileCount];
        for (long f = 1; f <= 90; f++)
        {
            guest.RenderFrame(f, s_noon + TimeSpan.FromSeconds(f / 30.0));
            long area = 0;
            foreach (PixelRect r in guest.LastDamage)
            {
                area += r.Area;
            }

            // A scroll of the console plus both windows' moves stays well under the whole screen.
            Assert.InRange(area, 1, (long)W * H * 3 / 4);
            console.Refresh();
            using ShadowReadScope shadow = console.ReadShadow();
            Array.Clear(changed);
            shadow.Tiles.AccumulateChangedSince(generation, changed);
            generation = shadow.Tiles.Generation;
            int count = changed.Count(c => c);
            Assert.InRange(count, 1, tileCount - 1);
        }
    }

    [Fact]
    public void RenderFrame_AfterRefresh_ShadowEqualsFramebuffer()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        for (long f = 0; f <= 60; f++)
        {
            if (f == 20)
            {
                Type(guest, "uname -a\r");
                Click(guest, 600, 20);
            }

            guest.RenderFrame(f, s_noon + TimeSpan.FromSeconds(f / 30.0));
            console.Refresh();
            using ShadowReadScope shadow = console.ReadShadow();
            for (int i = 0; i < W * H; i++)
            {
                uint expected = BinaryPrimitives.ReadUInt32LittleEndian(guest.Framebuffer.AsSpan(i * 4)) & 0xFFFFFF;
                if (shadow.Pixels[i] != expected)
                {
                    Assert.Fail($"frame {f}: shadow differs at ({i % W}, {i / W})");
                }
            }
        }
    }

    [Fact]
    public void RenderFrame_IncrementalFramesWithInput_EqualFullRedrawOfSameState()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        for (long f = 0; f <= 150; f++)
        {
            switch (f)
            {
                case 10:
                    Type(guest, "ls /");
                    break;
                case 25:
                    guest.OnKey(0xff08, 0x0e, true); // BackSpace
                    guest.OnKey(0xff0d, 0x1c, true); // Return
                    break;
                case 40:
                    PixelRect monitor = guest.Scene.WindowBounds(Scene.MonitorWindow);
                    Click(guest, monitor.X + 5, monitor.Y + 5);
                    break;
                case 60:
                    PixelRect term = guest.Scene.WindowBounds(Scene.TerminalWindow);
                    Click(guest, term.X + 3, term.Y + 3);
                    break;
                case 80:
                    Click(guest, W - 30, H - 40);
                    break;
            }

            guest.RenderFrame(f, s_noon + TimeSpan.FromSeconds(f / 30.0));
            Assert.True(guest.Framebuffer.AsSpan().SequenceEqual(FullRedraw(guest)), $"frame {f} differs from a full redraw");
        }
    }

    [Fact]
    public void RenderFrame_SameFrameIndex_RendersIdenticalPixels()
    {
        const long target = 200;
        using DisplayConsole c1 = NewConsole(), c2 = NewConsole(), c3 = NewConsole();
        var stepped = new GuestMachine(c1, W, H);
        var jumped = new GuestMachine(c2, W, H);
        var direct = new GuestMachine(c3, W, H);
        TimeSpan clock = s_noon + TimeSpan.FromSeconds(target / 30);
        RenderFrames(stepped, 0, target - 1);
        stepped.RenderFrame(target, clock);
        jumped.RenderFrame(0, s_noon);
        jumped.RenderFrame(target, clock);
        direct.RenderFrame(target, clock);
        byte[] first = direct.Framebuffer.ToArray();
        direct.RenderFrame(target, clock);

        Assert.True(first.AsSpan().SequenceEqual(direct.Framebuffer), "rendering the same frame again changed pixels");
        Assert.True(stepped.Framebuffer.AsSpan().SequenceEqual(direct.Framebuffer), "stepping to the frame differs from drawing it directly");
        Assert.True(jumped.Framebuffer.AsSpan().SequenceEqual(direct.Framebuffer), "jumping to the frame differs from drawing it directly");
        // Not a blank screen: more than a handful of distinct colours.
        var colours = new HashSet<uint>();
        for (int i = 0; i < W * H; i += 7)
        {
            colours.Add(BinaryPrimitives.ReadUInt32LittleEndian(direct.Framebuffer.AsSpan(i * 4)));
        }

        Assert.True(colours.Count > 10, $"only {colours.Count} colours on screen");
    }

    [Fact]
    public void RenderFrame_SteadyState_AllocatesNothing()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        // Warm up: JIT, and the console's pending-damage list reaching its full size. The frames
        // go on for a second of wall time: until the runtime has promoted the frame loop's methods
        // from their instrumented tier (tiered PGO's probes allocate on this thread while that
        // code runs; promotion waits for a pause in new compilations, so a test class that ran
        // other code first could leave them instrumented through a shorter warm-up).
        long frame = 0;
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        while (frame < 100 || (warmUp.Elapsed < TimeSpan.FromSeconds(1) && frame < 100_000))
        {
            RenderFrames(guest, frame, frame + 99);
            frame += 100;
        }

        // The JIT's tier-up may allocate a few bytes on this thread until methods are
        // recompiled, which waits for a pause in compilations (other test classes, or a server's
        // start-up warm-up, may be compiling at the same time: once, a run saw 480 bytes in each
        // of three windows); an allocation in the frame loop itself shows in every window. So
        // windows go on, for up to 5 s, until one allocates nothing.
        var windows = new List<long>();
        var measuring = System.Diagnostics.Stopwatch.StartNew();
        for (int window = 0; window < 3 || (measuring.Elapsed < TimeSpan.FromSeconds(5) && window < 1000); window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            RenderFrames(guest, frame + (window * 300), frame + 299 + (window * 300));
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (windows[^1] == 0)
            {
                break;
            }
        }

        Assert.True(windows[^1] == 0, "bytes allocated per 300-frame window: " + string.Join(", ", windows));
    }

    [Fact]
    public void RenderFrame_MovingWindow_OldPlaceBecomesBackground()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        Scene scene = guest.Scene;
        guest.RenderFrame(0, s_noon);
        PixelRect before = scene.WindowBounds(Scene.FilesWindow);
        var wasWindow = new List<(int X, int Y)>();
        for (int y = before.Y; y < before.Bottom; y++)
        {
            for (int x = before.X; x < before.Right; x++)
            {
                if (PixelAt(guest, x, y) != scene.BackgroundAt(x, y))
                {
                    wasWindow.Add((x, y));
                }
            }
        }

        RenderFrames(guest, 1, 40);
        PixelRect after = scene.WindowBounds(Scene.FilesWindow);
        Assert.NotEqual(before, after);
        // Pixels of the old place that no layer covers now must show the desktop again.
        PixelRect[] covers =
        [
            after, scene.WindowBounds(Scene.MonitorWindow), scene.WindowBounds(Scene.TerminalWindow), scene.Gauge, scene.Marker, scene.StatusBar,
        ];
        int uncovered = 0;
        foreach ((int x, int y) in wasWindow)
        {
            if (covers.Any(r => Inside(r, x, y)))
            {
                continue;
            }

            uncovered++;
            Assert.Equal(scene.BackgroundAt(x, y), PixelAt(guest, x, y));
        }

        Assert.True(uncovered > 1000, $"only {uncovered} pixels of the window's old place were uncovered");
    }

    [Fact]
    public void BackgroundAt_Always_IsAGradientFromBlueToTeal()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        Scene scene = guest.Scene;
        // The top-left pixel is the gradient's top colour, the desktop's last row its bottom colour
        // (at an x where the diagonal stripes leave the plain colour: x + y a multiple of 32).
        int last = scene.Desktop.Bottom - 1;
        Assert.Equal(0x1B2A4Au, scene.BackgroundAt(0, 0));
        Assert.Equal(0x0E5A6Au, scene.BackgroundAt(32 - last % 32, last));
        // The stripes are 16 pixels wide and six steps lighter in each channel.
        Assert.Equal(0x213050u, scene.BackgroundAt(16, 0));
    }

    /// <summary>
    /// The glyphs of 'H' and 'i' as designed for the font, written out here by hand so the test
    /// does not read them from the font it checks.
    /// </summary>
    private static readonly Dictionary<char, string[]> s_expectedGlyphs = new()
    {
        ['H'] = ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", ".....", "....."],
        ['i'] = ["..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###.", ".....", "....."],
    };

    [Fact]
    public void OnKey_PrintableKeys_AppearAsGlyphPixelsAtPrompt()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        Scene scene = guest.Scene;
        guest.RenderFrame(0, s_noon);
        PixelRect term = scene.WindowBounds(Scene.TerminalWindow);
        Click(guest, term.X + 3, term.Y + 3); // bring the console to the top so nothing hides its text
        guest.OnKey(0x48, 0x23, true);        // 'H' (with shift)
        guest.OnKey(0x48, 0x23, false);
        guest.OnKey(0x69, 0x17, true);        // 'i'
        guest.OnKey(0x69, 0x17, false);
        guest.RenderFrame(1, s_noon);
        Assert.Equal(Scene.TerminalWindow, scene.FocusedWindow);

        int column = "root@demo:~# ".Length;
        foreach (char c in "Hi")
        {
            PixelRect cell = scene.CellBounds(column++, scene.Rows - 1);
            string[] rows = s_expectedGlyphs[c];
            for (int y = 0; y < cell.Height; y++)
            {
                for (int x = 0; x < cell.Width; x++)
                {
                    // Glyphs sit one row below the cell's top and leave the sixth column blank.
                    bool on = y >= 1 && y <= 9 && x < 5 && rows[y - 1][x] == '#';
                    uint expected = on ? Scene.InputColor : Scene.TerminalBackground;
                    Assert.True(expected == PixelAt(guest, cell.X + x, cell.Y + y), $"'{c}' pixel ({x}, {y})");
                }
            }
        }
    }

    [Fact]
    public void OnKey_ReturnAndBackSpace_EditAndCommitThePromptLine()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        guest.RenderFrame(0, s_noon);
        Type(guest, "lsx");
        guest.OnKey(0xff08, 0x0e, true);   // BackSpace
        guest.OnKey(0xff08, 0x0e, false);
        guest.OnKey(0x61, 0x1e, false);    // a key-up types nothing
        guest.OnKey(0xffe1, 0x2a, true);   // Shift_L types nothing
        guest.OnKey(0xff0d, 0x1c, true);   // Return
        guest.RenderFrame(1, s_noon);
        TerminalText text = guest.Scene.Terminal;
        Assert.Equal("root@demo:~# ls", text.Line(0).ToString());
        Assert.Equal("", text.Input.ToString());
    }

    [Fact]
    public void RenderFrame_ManyFrames_BootLogLinesScrollThroughConsole()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        RenderFrames(guest, 0, 600);
        TerminalText text = guest.Scene.Terminal;
        Assert.True(text.LineCount > guest.Scene.Rows, $"{text.LineCount} lines in 20 s");
        for (int age = 0; age < guest.Scene.Rows - 1; age++)
        {
            Assert.Matches(@"^\[ *\d+\.\d{6}\] \S", text.Line(age).ToString());
        }

        // Lines appear in time order: each timestamp is at least the one before.
        double previous = double.MaxValue;
        for (int age = 0; age < guest.Scene.Rows - 1; age++)
        {
            string line = text.Line(age).ToString();
            double stamp = double.Parse(line[1..line.IndexOf(']')], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(stamp <= previous, $"line {age} goes back in time");
            previous = stamp;
        }
    }

    [Fact]
    public void RenderFrame_CursorBlinks_OnlyItsCellIsInvalidatedForIt()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        RenderFrames(guest, 0, Scene.BlinkFrames - 1);
        guest.RenderFrame(Scene.BlinkFrames, s_noon); // the cursor turns off here
        PixelRect cell = guest.Scene.CellBounds("root@demo:~# ".Length, guest.Scene.Rows - 1);
        Assert.Contains(guest.LastDamage.ToArray(), r => r.Contains(cell));
    }

    [Fact]
    public void OnPointer_ClickOnLowerWindow_RaisesAndFocusesIt()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        Scene scene = guest.Scene;
        guest.RenderFrame(0, s_noon);
        Assert.Equal(Scene.FilesWindow, scene.FocusedWindow);
        PixelRect term = scene.WindowBounds(Scene.TerminalWindow);
        PixelRect files = scene.WindowBounds(Scene.FilesWindow);
        PixelRect monitor = scene.WindowBounds(Scene.MonitorWindow);
        // A point of the console's title bar that neither moving window covers.
        (int X, int Y) point = Enumerable.Range(term.X + 2, term.Width - 16)
            .Select(x => (x, term.Y + 3))
            .First(p => !Inside(files, p.Item1, p.Item2) && !Inside(monitor, p.Item1, p.Item2));
        Assert.Equal(Scene.TitleUnfocused, PixelAt(guest, point.X, point.Y));

        Click(guest, point.X, point.Y);
        guest.RenderFrame(1, s_noon);

        Assert.Equal(Scene.TerminalWindow, scene.FocusedWindow);
        Assert.Equal(Scene.TitleFocused, PixelAt(guest, point.X, point.Y));
    }

    [Fact]
    public void OnPointer_ClickOnDesktop_DrawsMarkerThere()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        Scene scene = guest.Scene;
        guest.RenderFrame(0, s_noon);
        (int x, int y) = (W - 40, H - 40);
        for (int k = 0; k < Scene.WindowCount; k++)
        {
            Assert.False(Inside(scene.WindowBounds(k), x + 5, y), "test point is under a window");
        }

        Assert.Equal(scene.BackgroundAt(x + 5, y), PixelAt(guest, x + 5, y));
        guest.OnPointer(x, y, 0);  // motion alone draws nothing
        guest.OnPointer(x, y, 4);  // nor does the right button
        guest.RenderFrame(1, s_noon);
        Assert.Equal(scene.BackgroundAt(x + 5, y), PixelAt(guest, x + 5, y));

        guest.OnPointer(x, y, 0);
        guest.OnPointer(x, y, 1);
        guest.RenderFrame(2, s_noon);
        Assert.Equal(Scene.MarkerColor, PixelAt(guest, x + 5, y));
        Assert.Equal(Scene.MarkerColor, PixelAt(guest, x, y - 5));
    }

    [Fact]
    public void OnKeyAndOnPointer_Always_LogKeysymScancodeAndPointerAtDebug()
    {
        using DisplayConsole console = NewConsole();
        var logger = new ListLogger();
        var guest = new GuestMachine(console, W, H, logger);
        guest.OnKey(0x41, 0x1e, true);
        guest.OnKey(0xff0d, 0x1c, false);
        guest.OnPointer(12, 34, 5);
        Assert.Equal(
        [
            (LogLevel.Debug, "Key down: keysym 0x0041, XT scancode 0x1e"),
            (LogLevel.Debug, "Key up: keysym 0xff0d, XT scancode 0x1c"),
            (LogLevel.Debug, "Pointer at (12, 34), buttons 0x05"),
        ],
        logger.Entries);
    }

    [Fact]
    public void Resize_Running_SwitchesToNewSurfaceDrawnInFull()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        RenderFrames(guest, 0, 10);
        int switches = 0;
        console.SurfaceChanged += (_, _) => switches++;

        guest.Resize(400, 300);

        Assert.Equal(1, switches);
        Assert.Equal((400, 300), (console.Width, console.Height));
        Assert.Equal(400 * 300 * 4, guest.Framebuffer.Length);
        Assert.True(guest.Framebuffer.AsSpan().SequenceEqual(FullRedraw(guest)), "the new surface is not drawn in full");
        Assert.Equal(guest.Scene.BackgroundAt(399, 283), PixelAt(guest, 399, 283));
        guest.RenderFrame(11, s_noon);
        long area = 0;
        foreach (PixelRect r in guest.LastDamage)
        {
            area += r.Area;
        }

        Assert.InRange(area, 1, 400L * 300 / 2);
        Assert.True(guest.Framebuffer.AsSpan().SequenceEqual(FullRedraw(guest)));
    }

    [Fact]
    public void RenderFrame_SmallestScreen_DrawsClippedScene()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, 16, 16);
        for (long f = 0; f < 40; f++)
        {
            Click(guest, (int)f % 16, (int)(f * 7 % 16));
            Type(guest, "x");
            guest.RenderFrame(f, s_noon);
            Assert.True(guest.Framebuffer.AsSpan().SequenceEqual(FullRedraw(guest)), $"frame {f}");
        }
    }

    [Fact]
    public async Task RunAsync_Cancelled_CompletesAfterRenderingFrames()
    {
        using DisplayConsole console = NewConsole();
        var guest = new GuestMachine(console, W, H);
        using var cts = new CancellationTokenSource();
        Task run = guest.RunAsync(cts.Token);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (guest.LastFrame < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(guest.LastFrame >= 3, $"only reached frame {guest.LastFrame}");
        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(run.IsCompletedSuccessfully);
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel, string)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
