namespace Rfb.Recording;

/// <summary>What one <see cref="TracePlayer.PlayAsync"/> replayed.</summary>
/// <param name="Updates">FramebufferUpdates applied and reported to the console.</param>
/// <param name="Operations">Raw, CopyRect and DesktopSize rectangles among them.</param>
/// <param name="RecordedDuration">Time between the first and the last update in the recording.</param>
/// <param name="Elapsed">Time the replay took, measured with the player's time provider.</param>
public sealed record TracePlaybackResult(long Updates, long Operations, TimeSpan RecordedDuration, TimeSpan Elapsed);
