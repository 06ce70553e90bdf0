using System.Collections.Concurrent;

namespace Rfb.Encodings.Zrle;

/// <summary>
/// Tile encoders shared by every ZRLE encoder of the process: a tile encoder holds only scratch
/// (about 64 KiB), so sessions rent one per call and the memory follows the number of encodes
/// running at once, not the number of connected clients.
/// </summary>
internal static class ZrleTileEncoderPool
{
    private static readonly ConcurrentBag<ZrleTileEncoder> s_idle = [];
    private static int s_idleCount;

    private static int MaxIdle => 2 * Environment.ProcessorCount;

    public static ZrleTileEncoder Rent()
    {
        if (s_idle.TryTake(out ZrleTileEncoder? tiles))
        {
            Interlocked.Decrement(ref s_idleCount);
            return tiles;
        }

        return new ZrleTileEncoder();
    }

    public static void Return(ZrleTileEncoder tiles)
    {
        if (Interlocked.Increment(ref s_idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref s_idleCount);
            return;
        }

        s_idle.Add(tiles);
    }
}
