using System.Runtime.InteropServices;
using ConsoleBridge;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DemoEmulator.Guest;

/// <summary>
/// The demo's guest: a framebuffer in managed memory (XRGB8888, stride = width × 4) shown on a
/// <see cref="DisplayConsole"/>, a <see cref="Scene"/> drawn into it about 30 times a second with
/// only the changed rectangles invalidated, and the console's input host (keys type into the
/// text console, clicks raise windows or mark the desktop).
/// </summary>
/// <remarks>
/// Input arrives on session threads and is queued; the frame loop applies it at the start of the
/// next frame, so drawing stays on one thread and a frame's pixels depend only on its index, the
/// time passed in and the input applied before it.
/// </remarks>
internal sealed class GuestMachine : IConsoleHost
{
    public const int FramesPerSecond = 30;

    /// <summary>Input events queued between two frames; more are dropped (and logged).</summary>
    internal const int InputQueueCapacity = 256;

    public static readonly TimeSpan FrameInterval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / FramesPerSecond);

    private const uint KeysymBackSpace = 0xff08;
    private const uint KeysymReturn = 0xff0d;
    private const uint KeysymKeypadEnter = 0xff8d;

    private readonly DisplayConsole _console;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _frameLock = new();
    private readonly object _inputLock = new();
    private readonly InputEvent[] _input = new InputEvent[InputQueueCapacity];
    private readonly InputEvent[] _inputScratch = new InputEvent[InputQueueCapacity];
    private readonly DamageList _damage = new();
    private readonly PixelRect[] _lastDamage = new PixelRect[DamageList.Capacity];
    private int _inputCount;
    private int _buttons;

    private byte[] _framebuffer;
    private long _lastFrame = -1;
    private TimeSpan _lastClock;
    private bool _needsFullFrame;
    private int _lastDamageCount;

    /// <summary>
    /// Creates the guest's screen at <paramref name="width"/> × <paramref name="height"/>, shows it
    /// on <paramref name="console"/> and becomes the console's <see cref="DisplayConsole.Host"/>.
    /// The screen stays black until the first frame.
    /// </summary>
    public GuestMachine(DisplayConsole console, int width, int height, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        CheckSize(width, height);
        _console = console;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _framebuffer = new byte[checked(width * height * 4)];
        Scene = new Scene(width, height);
        _needsFullFrame = true;
        console.SwitchSurface(GuestSurface.FromMemory(_framebuffer, width, height, width * 4, DrmFourcc.Xrgb8888));
        console.Host = this;

        // The pointer is a cursor plane, not pixels: hidden until a client moves it.
        console.DefineCursor(PointerShape.CreateRgba(), PointerShape.Width, PointerShape.Height, 0, 0);
        console.ShowCursor(false);
    }

    public DisplayConsole Console => _console;

    public int Width => Scene.Width;

    public int Height => Scene.Height;

    internal Scene Scene { get; }

    /// <summary>The guest's framebuffer (XRGB8888 little-endian, stride <see cref="Width"/> × 4). Replaced by <see cref="Resize"/>.</summary>
    internal byte[] Framebuffer => _framebuffer;

    /// <summary>The frame last rendered (-1 before the first).</summary>
    internal long LastFrame => Volatile.Read(ref _lastFrame);

    /// <summary>The rectangles the last frame redrew and invalidated.</summary>
    internal ReadOnlySpan<PixelRect> LastDamage => _lastDamage.AsSpan(0, _lastDamageCount);

    /// <summary>
    /// Renders frames until <paramref name="cancellationToken"/> is cancelled, then completes
    /// normally. The frame index follows elapsed time, so a late frame skips ahead rather than
    /// slowing the animation down.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        long previous = -1;
        using var timer = new PeriodicTimer(FrameInterval, _time);
        try
        {
            do
            {
                long frame = Math.Max(previous + 1, _time.GetElapsedTime(start).Ticks / FrameInterval.Ticks);
                RenderFrame(frame, _time.GetLocalNow().TimeOfDay);
                previous = frame;
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Applies queued input, moves the scene to <paramref name="frame"/>, redraws what changed and
    /// invalidates exactly those rectangles (the whole screen on the first frame after a start).
    /// </summary>
    internal void RenderFrame(long frame, TimeSpan clock)
    {
        lock (_frameLock)
        {
            var screen = new PixelRect(0, 0, Scene.Width, Scene.Height);
            _damage.Reset(screen);
            ApplyInput();
            Scene.Advance(frame, clock, _damage);
            if (_needsFullFrame)
            {
                _needsFullFrame = false;
                _damage.Reset(screen);
                _damage.Add(screen);
            }

            Span<uint> pixels = Pixels();
            foreach (PixelRect rect in _damage.Rects)
            {
                Scene.Compose(new Canvas(pixels, Scene.Width, Scene.Height, rect));
            }

            foreach (PixelRect rect in _damage.Rects)
            {
                _console.Invalidate(rect);
            }

            _damage.Rects.CopyTo(_lastDamage);
            _lastDamageCount = _damage.Count;
            _lastClock = clock;
            Volatile.Write(ref _lastFrame, frame);
        }
    }

    /// <summary>
    /// Gives the guest a screen of a new size: a new framebuffer, drawn in full at the current
    /// frame before the console switches to it (so no black frame is shown once running).
    /// </summary>
    public void Resize(int width, int height)
    {
        CheckSize(width, height);
        lock (_frameLock)
        {
            var framebuffer = new byte[checked(width * height * 4)];
            _framebuffer = framebuffer;
            Scene.Layout(width, height);
            if (_lastFrame >= 0)
            {
                var screen = new PixelRect(0, 0, width, height);
                _damage.Reset(screen);
                Scene.Advance(_lastFrame, _lastClock, _damage);
                Scene.Compose(new Canvas(Pixels(), width, height, screen));
                _needsFullFrame = false;
            }
            else
            {
                _needsFullFrame = true;
            }

            _console.SwitchSurface(GuestSurface.FromMemory(framebuffer, width, height, width * 4, DrmFourcc.Xrgb8888));
        }

        GuestLog.Resized(_logger, width, height);
    }

    /// <inheritdoc/>
    public void OnKey(uint keysym, uint scancode, bool down)
    {
        GuestLog.Key(_logger, down ? "down" : "up", keysym, scancode);
        if (!down)
        {
            return;
        }

        // Printable Latin-1 keysyms are the characters themselves (X11 keysymdef.h).
        if (keysym is >= 0x20 and <= 0x7e or >= 0xa0 and <= 0xff)
        {
            Enqueue(new InputEvent(InputKind.Char, (int)keysym, 0));
        }
        else if (keysym is KeysymReturn or KeysymKeypadEnter)
        {
            Enqueue(new InputEvent(InputKind.Enter, 0, 0));
        }
        else if (keysym == KeysymBackSpace)
        {
            Enqueue(new InputEvent(InputKind.Backspace, 0, 0));
        }
    }

    /// <inheritdoc/>
    public void OnPointer(int x, int y, int buttons)
    {
        GuestLog.Pointer(_logger, x, y, buttons);
        _console.MoveCursor(x, y);
        _console.ShowCursor(true);
        bool press;
        lock (_inputLock)
        {
            press = (buttons & 1) != 0 && (_buttons & 1) == 0;
            _buttons = buttons;
        }

        if (press)
        {
            Enqueue(new InputEvent(InputKind.Click, x, y));
        }
    }

    /// <inheritdoc/>
    public void OnClipboard(string text) => GuestLog.Clipboard(_logger, text.Length);

    private static void CheckSize(int width, int height)
    {
        if (width < 1 || height < 1 || width > GuestSurface.MaxDimension || height > GuestSurface.MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"The guest screen must be 1..{GuestSurface.MaxDimension} pixels on each side; got {width}x{height}.");
        }
    }

    // The framebuffer as pixels: on a little-endian host a uint 0x00RRGGBB is XRGB8888's byte order.
    private Span<uint> Pixels() => MemoryMarshal.Cast<byte, uint>(_framebuffer.AsSpan());

    private void Enqueue(InputEvent e)
    {
        bool dropped;
        lock (_inputLock)
        {
            dropped = _inputCount == _input.Length;
            if (!dropped)
            {
                _input[_inputCount++] = e;
            }
        }

        if (dropped)
        {
            GuestLog.InputDropped(_logger);
        }
    }

    private void ApplyInput()
    {
        int count;
        lock (_inputLock)
        {
            count = _inputCount;
            _input.AsSpan(0, count).CopyTo(_inputScratch);
            _inputCount = 0;
        }

        foreach (InputEvent e in _inputScratch.AsSpan(0, count))
        {
            switch (e.Kind)
            {
                case InputKind.Char:
                    Scene.TypeChar((char)e.A);
                    break;
                case InputKind.Enter:
                    Scene.Enter();
                    break;
                case InputKind.Backspace:
                    Scene.Backspace();
                    break;
                case InputKind.Click:
                    Scene.Click(e.A, e.B, _damage);
                    break;
            }
        }
    }

    private enum InputKind : byte
    {
        Char,
        Enter,
        Backspace,
        Click,
    }

    private readonly record struct InputEvent(InputKind Kind, int A, int B);
}
