namespace ConsoleBridge;

/// <summary>
/// The heads of an emulator shown as one framebuffer. Each head is a <see cref="DisplayConsole"/>;
/// heads are laid out left to right in the order they were added, or at the position the host
/// gives. Heads can be added and removed at any time (hotplug), and a head that switches to a
/// surface of another size changes the layout. Every change makes a new
/// <see cref="DesktopLayout"/> and raises <see cref="LayoutChanged"/>.
/// </summary>
/// <remarks>
/// Screen ids start at 1 and are never reused while a head holds them. The desktop does not own
/// its consoles: removing a head or disposing the desktop leaves the console to its owner.
/// </remarks>
public sealed class Desktop : IDisposable
{
    /// <summary>Most heads in one desktop: RFB's screen count is one byte.</summary>
    public const int MaxHeads = 255;

    /// <summary>Largest coordinate a head may be placed at; RFB's coordinates are 16-bit.</summary>
    public const int MaxPosition = ushort.MaxValue - GuestSurface.MaxDimension;

    private readonly object _lock = new();
    private readonly List<DesktopHead> _heads = new();
    private readonly EventHandler _onSurfaceChanged;
    private readonly EventHandler _onHeadUpdated;
    private DesktopLayout _layout;
    private bool _disposed;

    /// <summary>Creates a desktop without heads (a 1×1 black framebuffer until one is added).</summary>
    public Desktop()
    {
        _layout = new DesktopLayout(1, []);
        _onSurfaceChanged = (_, _) => Relayout(force: false);
        _onHeadUpdated = (_, _) => Updated?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Creates a desktop of one head showing <paramref name="console"/> at the origin.</summary>
    public Desktop(DisplayConsole console)
        : this()
    {
        AddHead(console);
    }

    /// <summary>The current layout; a new object after every change.</summary>
    public DesktopLayout Layout => Volatile.Read(ref _layout);

    /// <summary>The heads now attached, in the order they were added.</summary>
    public IReadOnlyList<DesktopHead> Heads
    {
        get
        {
            lock (_lock)
            {
                return _heads.ToArray();
            }
        }
    }

    /// <summary>
    /// Set by a host that can plug and unplug heads when a client asks for more or fewer screens.
    /// Without it, such requests are refused.
    /// </summary>
    public DesktopHotplugHandler? HotplugHandler { get; set; }

    /// <summary>
    /// Raised after the layout changed (a head added, removed, moved or resized), on the thread
    /// that made the change. Keep it short.
    /// </summary>
    public event EventHandler? LayoutChanged;

    /// <summary>
    /// Raised when anything a reader shows may have changed: a head's tiles or cursor, a head's
    /// surface, or the layout. Runs on the thread that made the change; keep it short.
    /// </summary>
    public event EventHandler? Updated;

    /// <summary>
    /// Adds a head showing <paramref name="console"/>, at <paramref name="position"/> or, when
    /// null, to the right of the heads before it. <paramref name="screenId"/> asks for a given
    /// screen id (a client's hotplug request names one); by default the lowest free id from 1 is used.
    /// </summary>
    /// <exception cref="ArgumentException">The console is already a head here, or the screen id is taken.</exception>
    /// <exception cref="InvalidOperationException">The desktop already has <see cref="MaxHeads"/> heads.</exception>
    public DesktopHead AddHead(DisplayConsole console, DesktopPosition? position = null, int? screenId = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        CheckPosition(position);
        if (screenId is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(screenId), "Screen ids start at 1.");
        }

        DesktopHead head;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_heads.Count >= MaxHeads)
            {
                throw new InvalidOperationException($"A desktop holds at most {MaxHeads} heads.");
            }

            int id = screenId ?? 1;
            foreach (DesktopHead h in _heads)
            {
                if (h.Console == console)
                {
                    throw new ArgumentException("The console is already a head of this desktop.", nameof(console));
                }
            }

            if (screenId is not null && _heads.Exists(h => h.ScreenId == id))
            {
                throw new ArgumentException($"Screen id {id} is taken.", nameof(screenId));
            }

            while (screenId is null && _heads.Exists(h => h.ScreenId == id))
            {
                id++;
            }

            head = new DesktopHead(this, id, console, position);
            _heads.Add(head);
            Attach(console);
        }

        Relayout(force: true);
        return head;
    }

    /// <summary>Removes a head (hotplug). Returns false when it was not attached.</summary>
    public bool RemoveHead(DesktopHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        lock (_lock)
        {
            if (!_heads.Remove(head))
            {
                return false;
            }

            head.IsAttached = false;
            Detach(head.Console);
        }

        Relayout(force: true);
        return true;
    }

    /// <summary>Places a head at <paramref name="position"/>, or back into the automatic left-to-right layout when null.</summary>
    public void MoveHead(DesktopHead head, DesktopPosition? position)
    {
        ArgumentNullException.ThrowIfNull(head);
        CheckPosition(position);
        lock (_lock)
        {
            if (!_heads.Contains(head))
            {
                throw new ArgumentException("The head is not part of this desktop.", nameof(head));
            }

            head.Position = position;
        }

        Relayout(force: false);
    }

    /// <summary>The attached head with <paramref name="screenId"/>, or null.</summary>
    public DesktopHead? FindHead(int screenId)
    {
        lock (_lock)
        {
            return _heads.Find(h => h.ScreenId == screenId);
        }
    }

    /// <summary>Detaches from every console; the consoles stay usable.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (DesktopHead h in _heads)
            {
                Detach(h.Console);
            }
        }
    }

    private void Attach(DisplayConsole console)
    {
        console.SurfaceChanged += _onSurfaceChanged;
        console.Updated += _onHeadUpdated;
        console.CursorChanged += _onHeadUpdated;
    }

    private void Detach(DisplayConsole console)
    {
        console.SurfaceChanged -= _onSurfaceChanged;
        console.Updated -= _onHeadUpdated;
        console.CursorChanged -= _onHeadUpdated;
    }

    private static void CheckPosition(DesktopPosition? position)
    {
        if (position is { } p && (p.X < 0 || p.Y < 0 || p.X > MaxPosition || p.Y > MaxPosition))
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"Head positions are 0..{MaxPosition}; got {p.X},{p.Y}.");
        }
    }

    /// <summary>
    /// Computes the placements from the heads' positions and their consoles' current sizes, and
    /// publishes a new layout when they differ from the current one (or always, when forced).
    /// </summary>
    private void Relayout(bool force)
    {
        DesktopLayout layout;
        lock (_lock)
        {
            var placements = new DesktopPlacement[_heads.Count];
            int nextX = 0;
            for (int i = 0; i < _heads.Count; i++)
            {
                DesktopHead h = _heads[i];
                DesktopPosition p = h.Position ?? new DesktopPosition(Math.Min(nextX, MaxPosition), 0);
                var bounds = new PixelRect(p.X, p.Y, h.Console.Width, h.Console.Height);
                placements[i] = new DesktopPlacement(h, bounds);
                nextX = Math.Max(nextX, bounds.Right);
            }

            DesktopLayout current = _layout;
            if (!force && SamePlacements(current.Heads, placements))
            {
                return;
            }

            layout = new DesktopLayout(current.Generation + 1, placements);
            Volatile.Write(ref _layout, layout);
        }

        LayoutChanged?.Invoke(this, EventArgs.Empty);
        Updated?.Invoke(this, EventArgs.Empty);
    }

    private static bool SamePlacements(IReadOnlyList<DesktopPlacement> a, DesktopPlacement[] b)
    {
        if (a.Count != b.Length)
        {
            return false;
        }

        for (int i = 0; i < b.Length; i++)
        {
            if (a[i].Head != b[i].Head || a[i].Bounds != b[i].Bounds)
            {
                return false;
            }
        }

        return true;
    }
}
