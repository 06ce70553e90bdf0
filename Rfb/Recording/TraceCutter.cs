namespace Rfb.Recording;

/// <summary>
/// Cuts the beginning of a trace: the session header (version, security, ServerInit) and the
/// first updates, with their original block boundaries and timestamps. The block in which the
/// last kept update ends is shortened to end with it, so the result decodes without a partial
/// message. Used to make the small traces the tests replay.
/// </summary>
internal static class TraceCutter
{
    /// <summary>Copies blocks from <paramref name="source"/> to <paramref name="destination"/> up to the end of update number <paramref name="updateCount"/>.</summary>
    /// <returns>The number of RFB stream bytes written.</returns>
    /// <exception cref="InvalidOperationException">The source holds fewer updates.</exception>
    public static long CutFirstUpdates(FbsReader source, FbsWriter destination, int updateCount)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(updateCount);
        var decoder = new RecordedSessionDecoder();
        long blockStart = 0;
        int updates = 0;
        while (source.TryReadBlock(out ReadOnlyMemory<byte> data, out uint timestampMs))
        {
            decoder.Append(data.Span, timestampMs);
            while (decoder.TryReadEvent(out TraceEvent? traceEvent))
            {
                if (traceEvent is TraceUpdate && ++updates == updateCount)
                {
                    int keep = (int)(decoder.Position - blockStart);
                    destination.WriteBlock(data.Span[..keep], timestampMs);
                    return decoder.Position;
                }
            }

            destination.WriteBlock(data.Span, timestampMs);
            blockStart += data.Length;
        }

        throw new InvalidOperationException($"The source trace holds only {updates} updates; {updateCount} were asked for.");
    }
}
