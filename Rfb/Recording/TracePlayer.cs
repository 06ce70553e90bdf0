using ConsoleBridge;

namespace Rfb.Recording;

/// <summary>
/// Replays a recorded trace into a <see cref="DisplayConsole"/> the way an emulator drives it:
/// the player owns a <see cref="TraceFramebuffer"/> as guest memory, writes each recorded
/// rectangle into it and reports it to the console.
/// </summary>
/// <remarks>
/// On ServerInit and on every DesktopSize the console is switched to the (new) guest memory. For
/// each update, in wire order: Raw pixels are written and the rectangle is passed to
/// <see cref="DisplayConsole.Invalidate(PixelRect)"/>; a CopyRect moves the pixels in guest
/// memory and then calls <see cref="DisplayConsole.CopyRect"/>. The console's own refresh (or the
/// owner's call to <see cref="DisplayConsole.Refresh"/>) turns that into damage. When
/// <see cref="PlayAsync"/> completes, every update has been applied and reported; the final
/// frame is the one in <see cref="Framebuffer"/>.
/// </remarks>
public sealed class TracePlayer
{
    private readonly Func<FbsReader> _open;
    private readonly TimeProvider _timeProvider;
    private long _updatesPlayed;
    private int _playing;

    /// <summary>Plays the FBS file (plain or zstd-compressed) at <paramref name="path"/>, opened anew for each play.</summary>
    public TracePlayer(string path, TimeProvider? timeProvider = null)
        : this(() => new FbsReader(path), timeProvider)
    {
        ArgumentNullException.ThrowIfNull(path);
    }

    /// <summary>Plays the FBS file that <paramref name="openReader"/> opens; it is called once per play and the reader is disposed after.</summary>
    public TracePlayer(Func<FbsReader> openReader, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(openReader);
        _open = openReader;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised on the playing thread after each update was applied and reported to the console.</summary>
    public event EventHandler<TraceUpdate>? UpdatePlayed;

    /// <summary>Updates applied and reported so far in the current (or last) play. Safe to read from any thread.</summary>
    public long UpdatesPlayed => Interlocked.Read(ref _updatesPlayed);

    /// <summary>The guest memory of the current (or last) play; null before the first ServerInit.</summary>
    public TraceFramebuffer? Framebuffer { get; private set; }

    /// <summary>
    /// Replays the whole trace into <paramref name="console"/>. The returned task completes after
    /// the last update has been applied to guest memory and reported to the console.
    /// </summary>
    /// <remarks>
    /// The trace is read and decoded on the calling thread; with <see cref="TracePace.Max"/> the
    /// whole replay runs before this method returns (use <see cref="Task.Run(Func{Task})"/> to
    /// play in the background).
    /// </remarks>
    /// <exception cref="TraceFormatException">The trace is malformed.</exception>
    /// <exception cref="InvalidOperationException">This player is already playing.</exception>
    public async Task<TracePlaybackResult> PlayAsync(DisplayConsole console, TracePace pace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (Interlocked.Exchange(ref _playing, 1) != 0)
        {
            throw new InvalidOperationException("This player is already playing.");
        }

        try
        {
            Interlocked.Exchange(ref _updatesPlayed, 0);
            Framebuffer = null;
            using FbsReader reader = _open();
            long started = _timeProvider.GetTimestamp();
            long firstUpdateTime = 0;
            uint firstTimestamp = 0;
            uint lastTimestamp = 0;
            long updates = 0;
            long operations = 0;
            foreach (TraceEvent traceEvent in RecordedSessionDecoder.ReadEvents(reader))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (traceEvent is TraceServerInit init)
                {
                    Framebuffer = new TraceFramebuffer(init.Width, init.Height);
                    console.SwitchSurface(Framebuffer.CreateSurface());
                    continue;
                }

                var update = (TraceUpdate)traceEvent;
                TraceFramebuffer framebuffer = Framebuffer!; // the decoder yields ServerInit first
                if (updates == 0)
                {
                    firstUpdateTime = _timeProvider.GetTimestamp();
                    firstTimestamp = update.TimestampMs;
                }
                else if (pace == TracePace.Recorded && update.TimestampMs > firstTimestamp)
                {
                    TimeSpan due = TimeSpan.FromMilliseconds(update.TimestampMs - firstTimestamp);
                    TimeSpan wait = due - _timeProvider.GetElapsedTime(firstUpdateTime);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
                    }
                }

                foreach (TraceOperation operation in update.Operations)
                {
                    Play(console, framebuffer, operation);
                }

                operations += update.Operations.Count;
                lastTimestamp = update.TimestampMs;
                updates++;
                Interlocked.Exchange(ref _updatesPlayed, updates);
                UpdatePlayed?.Invoke(this, update);
            }

            TimeSpan recorded = updates == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Max(0L, (long)lastTimestamp - firstTimestamp));
            return new TracePlaybackResult(updates, operations, recorded, _timeProvider.GetElapsedTime(started));
        }
        finally
        {
            Volatile.Write(ref _playing, 0);
        }
    }

    private static void Play(DisplayConsole console, TraceFramebuffer framebuffer, in TraceOperation operation)
    {
        switch (operation.Kind)
        {
            case TraceOperationKind.Raw:
                framebuffer.Apply(operation);
                console.Invalidate(operation.Rect);
                break;
            case TraceOperationKind.Copy:
                framebuffer.Apply(operation);
                console.CopyRect(operation.SourceX, operation.SourceY, operation.X, operation.Y, operation.Width, operation.Height);
                break;
            case TraceOperationKind.DesktopSize:
                framebuffer.Apply(operation);
                console.SwitchSurface(framebuffer.CreateSurface());
                break;
        }
    }
}
