namespace TraceBench.Client;

/// <summary>
/// One FramebufferUpdate as the measuring client saw it. Times are <see cref="System.Diagnostics.Stopwatch"/>
/// ticks, which on Linux are CLOCK_MONOTONIC and so comparable between processes.
/// </summary>
/// <param name="StreamOffset">Offset of the message's first byte in the server's stream.</param>
/// <param name="FirstByteTicks">When the message's first byte was read.</param>
/// <param name="LastByteTicks">When its last byte was read.</param>
/// <param name="Bytes">Bytes of the whole message.</param>
/// <param name="Rectangles">Rectangles, pseudo-rectangles excluded.</param>
/// <param name="PixelsSent">Pixels of the rectangles that carried pixels (CopyRect and pseudo-rectangles excluded).</param>
/// <param name="RawBytes">Bytes the same rectangles would have taken as Raw (CopyRect as sent).</param>
internal readonly record struct UpdateRecord(long StreamOffset, long FirstByteTicks, long LastByteTicks, long Bytes, int Rectangles, long PixelsSent, long RawBytes)
{
    public const string Prefix = "U";

    public string ToLine() => FormattableString.Invariant($"{Prefix} {StreamOffset} {FirstByteTicks} {LastByteTicks} {Bytes} {Rectangles} {PixelsSent} {RawBytes}");

    public static bool TryParse(string line, out UpdateRecord record)
    {
        record = default;
        string[] f = line.Split(' ');
        if (f.Length != 8 || f[0] != Prefix)
        {
            return false;
        }

        var c = System.Globalization.CultureInfo.InvariantCulture;
        record = new UpdateRecord(long.Parse(f[1], c), long.Parse(f[2], c), long.Parse(f[3], c), long.Parse(f[4], c), int.Parse(f[5], c), long.Parse(f[6], c), long.Parse(f[7], c));
        return true;
    }
}
