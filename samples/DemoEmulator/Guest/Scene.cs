using ConsoleBridge;

namespace DemoEmulator.Guest;

/// <summary>
/// A small guest desktop: a background, a status bar with a clock, a spinning gauge, a text
/// console window and two windows that drift across the screen. The state at a frame depends
/// only on the frame index, the wall-clock time passed in, and the input applied so far.
/// </summary>
/// <remarks>
/// <see cref="Advance"/> moves the state to a frame and records in a <see cref="DamageList"/>
/// every rectangle whose pixels may have changed; <see cref="Compose"/> then redraws a rectangle
/// from all layers in z-order (background, status bar, gauge, click marker, windows), so a
/// window's old place gets back exactly what lies beneath it.
/// </remarks>
internal sealed class Scene
{
    public const int StatusBarHeight = 16;
    public const int TitleBarHeight = 14;
    public const int TextPadding = 4;

    /// <summary>Frames per half period of the cursor's blink (two blinks a second at 30 fps).</summary>
    public const int BlinkFrames = 15;

    public const int TerminalWindow = 0;
    public const int MonitorWindow = 1;
    public const int FilesWindow = 2;
    public const int WindowCount = 3;

    internal const uint TerminalBackground = 0x101418;
    internal const uint TerminalForeground = 0xC8CCD0;
    internal const uint TimestampColor = 0x5FBF6F;
    internal const uint PromptColor = 0x7FD7FF;
    internal const uint InputColor = 0xFFFFFF;
    internal const uint CursorColor = 0xE0E0E0;
    internal const uint TitleFocused = 0x3A6EA5;
    internal const uint TitleUnfocused = 0x5A5F66;
    internal const uint MarkerColor = 0xFFD400;
    private const uint WindowBorder = 0x0A0A10;
    private const uint TitleText = 0xFFFFFF;
    private const uint WindowFace = 0xE6E8EB;
    private const uint FaceText = 0x202428;
    private const uint StatusBackground = 0x20242A;
    private const uint StatusText = 0xD0D4D8;
    private const uint ClockText = 0xFFD75F;

    private static readonly string[] s_monitorLabels = ["cpu0", "cpu1", "cpu2", "cpu3", "mem", "net"];
    private static readonly int[] s_monitorLevels = [72, 35, 88, 14, 61, 27];
    private static readonly uint[] s_monitorColors = [0x4F9D4F, 0x4F9D4F, 0xC8503C, 0x4F9D4F, 0x3F7FBF, 0xB08F2F];
    private static readonly string[] s_folders = ["boot", "etc", "home", "usr", "var", "tmp"];

    private readonly int[] _zOrder = [TerminalWindow, MonitorWindow, FilesWindow];
    private readonly PixelRect[] _windows = new PixelRect[WindowCount];
    private readonly char[] _clockText = "00:00:00".ToCharArray();

    private PixelRect _desktop;
    private PixelRect _statusBar;
    private PixelRect _textArea;
    private PixelRect _gauge;
    private PixelRect _clockRect;
    private PixelRect _marker;
    private int _columns;
    private int _rows;
    private int _monitorWidth;
    private int _monitorHeight;
    private int _filesWidth;
    private int _filesHeight;

    private long _frame = -1;
    private long _logLines;
    private long _shownLinesVersion;
    private long _shownInputVersion;
    private bool _cursorOn;
    private int _clockSecond = -1;

    public Scene(int width, int height)
    {
        Layout(width, height);
    }

    public int Width { get; private set; }

    public int Height { get; private set; }

    public TerminalText Terminal { get; } = new();

    /// <summary>The frame last passed to <see cref="Advance"/> (-1 before the first).</summary>
    public long Frame => _frame;

    /// <summary>Where the screen shows the desktop (all but the status bar).</summary>
    public PixelRect Desktop => _desktop;

    public PixelRect StatusBar => _statusBar;

    /// <summary>The text cells of the console window: <see cref="Columns"/> × <see cref="Rows"/> cells.</summary>
    public PixelRect TextArea => _textArea;

    public int Columns => _columns;

    /// <summary>Rows of text in the console window; the last one is the prompt.</summary>
    public int Rows => _rows;

    /// <summary>The animated gauge's square.</summary>
    public PixelRect Gauge => _gauge;

    public PixelRect ClockRect => _clockRect;

    /// <summary>The ring drawn where the desktop was last clicked (empty before a click).</summary>
    public PixelRect Marker => _marker;

    /// <summary>The window on top (it has the focus).</summary>
    public int FocusedWindow => _zOrder[WindowCount - 1];

    public PixelRect WindowBounds(int window) => _windows[window];

    /// <summary>The pixel rectangle of text cell (<paramref name="column"/>, <paramref name="row"/>).</summary>
    public PixelRect CellBounds(int column, int row) =>
        new(_textArea.X + column * BitmapFont.CellWidth, _textArea.Y + row * BitmapFont.CellHeight, BitmapFont.CellWidth, BitmapFont.CellHeight);

    /// <summary>Lays the scene out for a screen of this size; window positions follow at the next <see cref="Advance"/>.</summary>
    public void Layout(int width, int height)
    {
        Width = width;
        Height = height;
        int statusHeight = Math.Min(StatusBarHeight, height);
        _desktop = new PixelRect(0, 0, width, height - statusHeight);
        _statusBar = new PixelRect(0, height - statusHeight, width, statusHeight);

        int chrome = 2 + 2 * TextPadding;
        _columns = Math.Clamp(((int)(width * 0.6) - chrome) / BitmapFont.CellWidth, 1, TerminalText.MaxColumns);
        _rows = Math.Clamp(((int)(_desktop.Height * 0.62) - chrome - TitleBarHeight) / BitmapFont.CellHeight, 1, TerminalText.Capacity - 1);
        int termWidth = _columns * BitmapFont.CellWidth + chrome;
        int termHeight = _rows * BitmapFont.CellHeight + chrome + TitleBarHeight;
        int termX = Math.Clamp(_desktop.Width - termWidth, 0, 16);
        int termY = Math.Clamp(_desktop.Height - termHeight, 0, 16);
        _windows[TerminalWindow] = new PixelRect(termX, termY, termWidth, termHeight);
        _textArea = new PixelRect(
            termX + 1 + TextPadding,
            termY + 1 + TitleBarHeight + TextPadding,
            _columns * BitmapFont.CellWidth,
            _rows * BitmapFont.CellHeight);

        _monitorWidth = Math.Min(224, width);
        _monitorHeight = Math.Min(150, Math.Max(1, _desktop.Height));
        _filesWidth = Math.Min(200, width);
        _filesHeight = Math.Min(132, Math.Max(1, _desktop.Height));

        int gaugeSize = Math.Min(72, Math.Min(width, _desktop.Height));
        _gauge = gaugeSize <= 0
            ? default
            : new PixelRect(Math.Max(0, _desktop.Right - gaugeSize - 16), _desktop.Y + Math.Min(16, _desktop.Height - gaugeSize), gaugeSize, gaugeSize);

        int clockWidth = _clockText.Length * BitmapFont.CellWidth;
        _clockRect = new PixelRect(Math.Max(0, width - clockWidth - 6), _statusBar.Y + (statusHeight - BitmapFont.CellHeight) / 2, clockWidth, BitmapFont.CellHeight)
            .Intersect(_statusBar);
        _marker = _marker.Intersect(_desktop);
        _frame = -1;
        _clockSecond = -1;
    }

    /// <summary>
    /// Moves the scene to <paramref name="frame"/> at wall-clock time <paramref name="clock"/> and
    /// adds to <paramref name="damage"/> every rectangle whose pixels may differ from the previous
    /// state. After <see cref="Layout"/> the first call damages nothing useful: redraw everything.
    /// </summary>
    public void Advance(long frame, TimeSpan clock, DamageList damage)
    {
        AppendLogLines(frame);
        if (Terminal.LinesVersion != _shownLinesVersion)
        {
            _shownLinesVersion = Terminal.LinesVersion;
            damage.Add(_textArea with { Height = (_rows - 1) * BitmapFont.CellHeight });
        }

        if (Terminal.InputVersion != _shownInputVersion)
        {
            _shownInputVersion = Terminal.InputVersion;
            damage.Add(PromptRow());
        }

        bool cursorOn = (frame / BlinkFrames & 1) == 0;
        if (cursorOn != _cursorOn || _frame < 0)
        {
            _cursorOn = cursorOn;
            damage.Add(CursorCell());
        }

        MoveWindow(MonitorWindow, frame * 3 + 150, frame * 2 + 90, _monitorWidth, _monitorHeight, damage);
        MoveWindow(FilesWindow, frame * 2 + 900, frame * 3 + 420, _filesWidth, _filesHeight, damage);

        if (frame != _frame)
        {
            damage.Add(_gauge);
        }

        int second = (int)(clock.Ticks / TimeSpan.TicksPerSecond % 86_400);
        if (second != _clockSecond)
        {
            _clockSecond = second;
            int h = second / 3600, m = second / 60 % 60, s = second % 60;
            _clockText[0] = (char)('0' + h / 10);
            _clockText[1] = (char)('0' + h % 10);
            _clockText[3] = (char)('0' + m / 10);
            _clockText[4] = (char)('0' + m % 10);
            _clockText[6] = (char)('0' + s / 10);
            _clockText[7] = (char)('0' + s % 10);
            damage.Add(_clockRect);
        }

        _frame = frame;
    }

    /// <summary>A printable character typed at the console's prompt.</summary>
    public void TypeChar(char c) => Terminal.Type(c);

    public void Backspace() => Terminal.Backspace();

    public void Enter() => Terminal.Enter();

    /// <summary>
    /// A left click: a window under the pointer comes to the top and takes the focus; a click on
    /// the bare desktop moves the marker there.
    /// </summary>
    public void Click(int x, int y, DamageList damage)
    {
        for (int k = WindowCount - 1; k >= 0; k--)
        {
            int window = _zOrder[k];
            if (Contains(_windows[window], x, y))
            {
                if (k != WindowCount - 1)
                {
                    Array.Copy(_zOrder, k + 1, _zOrder, k, WindowCount - 1 - k);
                    _zOrder[WindowCount - 1] = window;
                    // The raised window's area and every title bar (the focus moved).
                    foreach (PixelRect rect in _windows)
                    {
                        damage.Add(rect);
                    }
                }

                return;
            }
        }

        if (Contains(_desktop, x, y))
        {
            damage.Add(_marker);
            _marker = new PixelRect(x - 5, y - 5, 11, 11).Intersect(_desktop);
            damage.Add(_marker);
        }
    }

    /// <summary>The desktop's own pixel at (<paramref name="x"/>, <paramref name="y"/>): what shows where nothing covers it.</summary>
    public uint BackgroundAt(int x, int y)
    {
        (uint even, uint odd) = BackgroundColors(y);
        return ((x + y) >> 4 & 1) == 0 ? even : odd;
    }

    /// <summary>Redraws every layer inside <paramref name="canvas"/>'s clip, bottom to top.</summary>
    public void Compose(Canvas canvas)
    {
        PixelRect clip = canvas.Clip;
        if (clip.IsEmpty)
        {
            return;
        }

        if (clip.IntersectsWith(_desktop))
        {
            DrawBackground(canvas.Within(_desktop));
        }

        if (clip.IntersectsWith(_statusBar))
        {
            DrawStatusBar(canvas.Within(_statusBar));
        }

        if (clip.IntersectsWith(_gauge))
        {
            DrawGauge(canvas.Within(_gauge));
        }

        if (clip.IntersectsWith(_marker))
        {
            Canvas marker = canvas.Within(_marker);
            int cx = _marker.X + _marker.Width / 2, cy = _marker.Y + _marker.Height / 2;
            marker.Circle(cx, cy, 5, MarkerColor);
            marker.Circle(cx, cy, 4, MarkerColor);
            marker.SetPixel(cx, cy, MarkerColor);
        }

        for (int k = 0; k < WindowCount; k++)
        {
            int window = _zOrder[k];
            PixelRect rect = _windows[window];
            if (!clip.IntersectsWith(rect))
            {
                continue;
            }

            Canvas c = canvas.Within(rect);
            bool focused = k == WindowCount - 1;
            switch (window)
            {
                case TerminalWindow:
                    DrawChrome(c, rect, "tty1 - console", focused, TerminalBackground);
                    DrawTerminalText(c);
                    break;
                case MonitorWindow:
                    DrawChrome(c, rect, "System Monitor", focused, WindowFace);
                    DrawMonitor(c, rect);
                    break;
                default:
                    DrawChrome(c, rect, "Files - /", focused, WindowFace);
                    DrawFiles(c, rect);
                    break;
            }
        }
    }

    private static bool Contains(PixelRect rect, int x, int y) =>
        x >= rect.X && x < rect.Right && y >= rect.Y && y < rect.Bottom;

    /// <summary>A triangle wave: 0 → range → 0 as <paramref name="phase"/> grows, one pixel per step.</summary>
    private static int Bounce(long phase, int range)
    {
        if (range <= 0)
        {
            return 0;
        }

        long m = phase % (2L * range);
        return (int)(m <= range ? m : 2L * range - m);
    }

    private void AppendLogLines(long frame)
    {
        long due = BootLog.LinesAt(frame);
        if (due <= _logLines)
        {
            return;
        }

        // After a jump only the lines the scrollback can still hold are worth formatting.
        for (long line = Math.Max(_logLines, due - TerminalText.Capacity); line < due; line++)
        {
            Terminal.CommitLine(BootLog.Format(line, Terminal.BeginLine()));
        }

        _logLines = due;
    }

    private void MoveWindow(int window, long phaseX, long phaseY, int width, int height, DamageList damage)
    {
        var rect = new PixelRect(
            _desktop.X + Bounce(phaseX, _desktop.Width - width),
            _desktop.Y + Bounce(phaseY, _desktop.Height - height),
            width,
            height);
        if (rect != _windows[window])
        {
            damage.Add(_windows[window]);
            damage.Add(rect);
            _windows[window] = rect;
        }
    }

    private PixelRect PromptRow() => _textArea with { Y = _textArea.Y + (_rows - 1) * BitmapFont.CellHeight, Height = BitmapFont.CellHeight };

    /// <summary>How far the prompt line is scrolled left so that the cursor stays in the last column at most.</summary>
    private int PromptScroll() => Math.Max(0, TerminalText.Prompt.Length + Terminal.Input.Length - (_columns - 1));

    private PixelRect CursorCell() =>
        CellBounds(TerminalText.Prompt.Length + Terminal.Input.Length - PromptScroll(), _rows - 1);

    private (uint Even, uint Odd) BackgroundColors(int y)
    {
        // A vertical gradient from deep blue to teal, with faint diagonal stripes.
        int span = Math.Max(1, _desktop.Height - 1);
        int t = Math.Clamp(y, 0, span);
        int r = 0x1B + (0x0E - 0x1B) * t / span;
        int g = 0x2A + (0x5A - 0x2A) * t / span;
        int b = 0x4A + (0x6A - 0x4A) * t / span;
        uint even = (uint)(r << 16 | g << 8 | b);
        uint odd = (uint)((r + 6) << 16 | (g + 6) << 8 | (b + 6));
        return (even, odd);
    }

    private void DrawBackground(Canvas c)
    {
        PixelRect clip = c.Clip;
        for (int y = clip.Y; y < clip.Bottom; y++)
        {
            (uint even, uint odd) = BackgroundColors(y);
            Span<uint> row = c.ClippedRow(y);
            for (int i = 0; i < row.Length; i++)
            {
                int x = clip.X + i;
                row[i] = ((x + y) >> 4 & 1) == 0 ? even : odd;
            }
        }
    }

    private void DrawStatusBar(Canvas c)
    {
        c.FillRect(_statusBar, StatusBackground);
        c.FillRect(_statusBar with { Height = 1 }, 0x3A4048);
        int textY = _statusBar.Y + (_statusBar.Height - BitmapFont.CellHeight) / 2;
        Span<char> text = stackalloc char[64];
        if (text.TryWrite($" demo-guest | tty1 | {Width}x{Height} | click a window to raise it", out int length))
        {
            c.DrawText(text[..length], 0, textY, StatusText);
        }

        c.DrawText(_clockText, _clockRect.X, _clockRect.Y, ClockText);
    }

    private void DrawGauge(Canvas c)
    {
        PixelRect g = _gauge;
        c.FillRect(g, 0x182030);
        c.FrameRect(g, 0x405070);
        int radius = g.Width / 2 - 6;
        if (radius < 4)
        {
            return;
        }

        int cx = g.X + g.Width / 2, cy = g.Y + g.Height / 2;
        c.Circle(cx, cy, radius, 0x8FA8C8);
        for (int i = 0; i < 12; i++)
        {
            double a = i * Math.PI / 6;
            c.SetPixel(cx + (int)Math.Round((radius - 3) * Math.Sin(a)), cy - (int)Math.Round((radius - 3) * Math.Cos(a)), 0x8FA8C8);
        }

        // One turn of the hand every two seconds; the dot circles the other way, slower.
        long frame = Math.Max(0, _frame);
        double hand = frame % 60 * (2 * Math.PI / 60);
        int hx = cx + (int)Math.Round((radius - 5) * Math.Sin(hand));
        int hy = cy - (int)Math.Round((radius - 5) * Math.Cos(hand));
        c.Line(cx, cy, hx, hy, 0xFF6F4F);
        c.Line(cx + 1, cy, hx + 1, hy, 0xFF6F4F);
        double orbit = -(frame % 90) * (2 * Math.PI / 90);
        int orbitRadius = radius * 5 / 9;
        c.FillCircle(cx + (int)Math.Round(orbitRadius * Math.Sin(orbit)), cy - (int)Math.Round(orbitRadius * Math.Cos(orbit)), 3, 0x6FE0A0);
        c.FillCircle(cx, cy, 2, 0xFFFFFF);
    }

    private static void DrawChrome(Canvas c, PixelRect rect, string title, bool focused, uint face)
    {
        c.FrameRect(rect, WindowBorder);
        var bar = new PixelRect(rect.X + 1, rect.Y + 1, rect.Width - 2, TitleBarHeight);
        c.FillRect(bar, focused ? TitleFocused : TitleUnfocused);
        c.DrawText(title, bar.X + 4, bar.Y + (TitleBarHeight - BitmapFont.CellHeight) / 2, TitleText);
        var close = new PixelRect(bar.Right - 12, bar.Y + 2, 10, 10);
        c.FrameRect(close, TitleText);
        c.Line(close.X + 2, close.Y + 2, close.Right - 3, close.Bottom - 3, TitleText);
        c.Line(close.Right - 3, close.Y + 2, close.X + 2, close.Bottom - 3, TitleText);
        c.FillRect(new PixelRect(rect.X + 1, bar.Bottom, rect.Width - 2, rect.Bottom - 1 - bar.Bottom), face);
    }

    private void DrawTerminalText(Canvas c)
    {
        PixelRect clip = c.Clip;
        int cell = BitmapFont.CellHeight;
        int first = Math.Max(0, (clip.Y - _textArea.Y) / cell);
        int last = Math.Min(_rows - 1, (clip.Bottom - 1 - _textArea.Y) / cell);
        for (int row = first; row <= last; row++)
        {
            int y = _textArea.Y + row * cell;
            if (row < _rows - 1)
            {
                ReadOnlySpan<char> line = Terminal.Line(_rows - 2 - row);
                DrawLogLine(c, line[..Math.Min(line.Length, _columns)], y);
            }
            else
            {
                DrawPrompt(c, y);
            }
        }
    }

    private void DrawLogLine(Canvas c, ReadOnlySpan<char> line, int y)
    {
        int x = _textArea.X;
        if (line.StartsWith(TerminalText.Prompt))
        {
            x = c.DrawText(TerminalText.Prompt, x, y, PromptColor);
            c.DrawText(line[TerminalText.Prompt.Length..], x, y, InputColor);
            return;
        }

        int stamp = line.Length > 0 && line[0] == '[' ? line.IndexOf(']') + 1 : 0;
        x = c.DrawText(line[..stamp], x, y, TimestampColor);
        c.DrawText(line[stamp..], x, y, TerminalForeground);
    }

    private void DrawPrompt(Canvas c, int y)
    {
        int scroll = PromptScroll();
        ReadOnlySpan<char> prompt = TerminalText.Prompt;
        int x = _textArea.X;
        if (scroll < prompt.Length)
        {
            x = c.DrawText(prompt[scroll..], x, y, PromptColor);
            c.DrawText(Terminal.Input, x, y, InputColor);
        }
        else
        {
            c.DrawText(Terminal.Input[(scroll - prompt.Length)..], x, y, InputColor);
        }

        if (_cursorOn)
        {
            c.FillRect(CursorCell(), CursorColor);
        }
    }

    private static void DrawMonitor(Canvas c, PixelRect rect)
    {
        int x = rect.X + 10;
        int y = rect.Y + 1 + TitleBarHeight + 8;
        int barWidth = rect.Width - 10 - 44 - 10;
        for (int i = 0; i < s_monitorLabels.Length; i++)
        {
            c.DrawText(s_monitorLabels[i], x, y, FaceText);
            var bar = new PixelRect(x + 40, y + 1, barWidth, 9);
            c.FillRect(bar, 0xC0C4C8);
            c.FillRect(bar with { Width = barWidth * s_monitorLevels[i] / 100 }, s_monitorColors[i]);
            c.FrameRect(bar, 0x8A9098);
            y += 19;
        }
    }

    private static void DrawFiles(Canvas c, PixelRect rect)
    {
        int left = rect.X + 14;
        int top = rect.Y + 1 + TitleBarHeight + 10;
        for (int i = 0; i < s_folders.Length; i++)
        {
            int x = left + i % 3 * 60;
            int y = top + i / 3 * 52;
            c.FillRect(new PixelRect(x + 8, y, 12, 4), 0xD9A437);
            c.FillRect(new PixelRect(x + 8, y + 4, 28, 20), 0xE8B84A);
            c.FrameRect(new PixelRect(x + 8, y + 4, 28, 20), 0xA87A20);
            c.DrawText(s_folders[i], x + 22 - s_folders[i].Length * BitmapFont.CellWidth / 2, y + 27, FaceText);
        }
    }
}
