using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using ConsoleBridge;
using Rfb.Encodings;
using Rfb.Transports;

namespace Rfb.Sessions;

/// <summary>
/// The second half of the start-up warm-up (<see cref="RfbServerOptions.WarmUpEncoders"/>, after
/// <see cref="EncoderWarmUp"/>): one client of a private server, over in-memory pipes, on a private
/// 640×480 console, so that the JIT compiles what a real client's first updates run besides the
/// encoders' small-rectangle code: the console's refresh (comparing into the shadow, the scroll
/// search), the session's update loop, CopyRect, and ZRLE and Tight over enough data to be
/// compressed in parallel segments. Without it, on the video trace with ZRLE at the recorded pace, the first
/// three updates of a process compiled about 90 methods in 57 ms and took 27–54 ms each against a
/// median of 6 ms.
/// </summary>
/// <remarks>
/// The scripted client speaks RFB 3.8 without security, asks for the encodings of one of
/// <see cref="Sessions"/> (ZRLE, then Tight at quality 8) with CopyRect and LastRect, and reads
/// five or six updates: the whole frame (text rows above, noise with a solid block below) twice
/// (the second time the encoder expects enough data to compress it in segments), the text rows
/// scrolled up by 16 rows (found by the console's scroll search, so sent as a CopyRect and a
/// strip of pixels), two small changes, small blocks scattered over 24 tiles, and, when Tight
/// sent JPEG, the lossless refresh of those areas (the private server's delay for it is 100 ms).
/// Each of the last three had been compiled during a recorded trace's first updates. The
/// private server has no listeners and no logger: nothing of it is visible outside the process.
/// </remarks>
internal static class SessionWarmUp
{
    public const int Width = 640, Height = 480;
    public const int TextHeight = 256;
    public const int ScrollRows = 16;
    private const int SolidX = 384, SolidY = 288, SolidWidth = 192, SolidHeight = 128;

    /// <summary>What the scripted client received.</summary>
    /// <param name="Updates">Per update, its rectangles (encoding, width, height).</param>
    /// <param name="Bytes">Every byte the session wrote, handshake included.</param>
    /// <param name="EndReason">Why the session ended (the client closing, when all went well).</param>
    /// <param name="SawJpeg">Whether a Tight JPEG rectangle came (then the last update is the lossless refresh of the JPEG areas).</param>
    public sealed record Result(IReadOnlyList<(int Encoding, int Width, int Height)[]> Updates, long Bytes, SessionEndReason? EndReason, bool SawJpeg);

    /// <summary>The encodings of the sessions the warm-up runs, one after the other: ZRLE, and Tight at quality 8 / compress 2 (which noVNC and TigerVNC's viewer ask for by default, give or take the levels).</summary>
    public static readonly int[][] Sessions =
    [
        [EncodingType.Zrle, EncodingType.CopyRect, EncodingType.LastRect],
        [EncodingType.Tight, EncodingType.CopyRect, EncodingType.LastRect, EncodingType.JpegQualityLevel0 + 8, EncodingType.CompressLevel0 + 2],
    ];

    /// <summary>
    /// Runs one session asking for <paramref name="encodings"/> (ZRLE or Tight, with CopyRect
    /// and quality or compress levels); throws <see cref="OperationCanceledException"/> after
    /// <paramref name="timeout"/> and <see cref="InvalidDataException"/> if the server sent
    /// anything unexpected.
    /// </summary>
    public static async Task<Result> RunAsync(int[] encodings, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(encodings);
        byte[] pixels = new byte[Width * Height * 4];
        var random = new Random(7);
        DrawText(pixels, 0, TextHeight, random);
        for (int i = TextHeight * Width * 4; i < pixels.Length; i += 4)
        {
            // Noise, with a solid block in it (for Tight's search for solid areas).
            int x = i / 4 % Width, y = i / 4 / Width;
            uint colour = x >= SolidX && y >= SolidY && x < SolidX + SolidWidth && y < SolidY + SolidHeight ? 0x00336699u : (uint)random.Next(0x1000000);
            BinaryPrimitives.WriteUInt32LittleEndian(pixels.AsSpan(i), colour);
        }

        var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false, InitialWidth = Width, InitialHeight = Height, DetectScrolls = true });
        var toServer = new Pipe();
        var toClient = new Pipe();
        // JPEG areas are sent again losslessly soon after the link goes idle, so that this path
        // runs too: 100 ms, so that the last request comes before the refresh is due and the
        // session waits for it on a timer, as with the default 300 ms.
        var server = new RfbServer(console, new RfbServerOptions { WarmUpEncoders = false, DesktopName = "warm-up", LosslessRefreshDelay = TimeSpan.FromMilliseconds(100) });
        RfbSession? session = null;
        Task running = Task.CompletedTask;
        var counting = new CountingStream(toClient.Reader.AsStream());
        using var cts = new CancellationTokenSource(timeout);
        CancellationToken ct = cts.Token;
        try
        {
            console.SwitchSurface(GuestSurface.FromMemory(pixels, Width, Height, Width * 4, DrmFourcc.Xrgb8888));
            running = server.RunSessionAsync(new DuplexPipe(toServer.Reader, toClient.Writer), "warm-up", null);
            session = server.Sessions().Single();
            Stream output = toServer.Writer.AsStream();

            byte[] version = new byte[12];
            await counting.ReadExactlyAsync(version, ct).ConfigureAwait(false);
            await output.WriteAsync("RFB 003.008\n"u8.ToArray(), ct).ConfigureAwait(false);
            byte[] types = new byte[await ReadByteAsync(counting, ct).ConfigureAwait(false)];
            await counting.ReadExactlyAsync(types, ct).ConfigureAwait(false);
            if (!types.Contains((byte)1))
            {
                throw new InvalidDataException("The private server did not offer security type None.");
            }

            await output.WriteAsync(new byte[] { 1 }, ct).ConfigureAwait(false);
            byte[] result = new byte[4];
            await counting.ReadExactlyAsync(result, ct).ConfigureAwait(false);
            await output.WriteAsync(new byte[] { 1 }, ct).ConfigureAwait(false);
            byte[] init = new byte[24];
            await counting.ReadExactlyAsync(init, ct).ConfigureAwait(false);
            await SkipAsync(counting, BinaryPrimitives.ReadInt32BigEndian(init.AsSpan(20)), ct).ConfigureAwait(false);

            // The pixel format of ServerInit stays: Tight's TPIXEL is 3 bytes for it.
            int tpixel = init[4] == 32 && init[5] == 24 ? 3 : init[4] / 8;

            byte[] setEncodings = new byte[4 + (4 * encodings.Length)];
            setEncodings[0] = 2;
            BinaryPrimitives.WriteUInt16BigEndian(setEncodings.AsSpan(2), (ushort)encodings.Length);
            for (int i = 0; i < encodings.Length; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(setEncodings.AsSpan(4 + (4 * i)), encodings[i]);
            }

            await output.WriteAsync(setEncodings, ct).ConfigureAwait(false);

            var updates = new List<(int, int, int)[]>();
            await output.WriteAsync(Request(incremental: false), ct).ConfigureAwait(false);
            updates.Add(await ReadUpdateAsync(counting, tpixel, ct).ConfigureAwait(false));

            // The whole frame again: the encoder now expects enough data to compress in segments.
            await output.WriteAsync(Request(incremental: false), ct).ConfigureAwait(false);
            updates.Add(await ReadUpdateAsync(counting, tpixel, ct).ConfigureAwait(false));

            // The text rows scroll up, as a terminal's do, and new rows appear at their bottom.
            Buffer.BlockCopy(pixels, ScrollRows * Width * 4, pixels, 0, (TextHeight - ScrollRows) * Width * 4);
            DrawText(pixels, TextHeight - ScrollRows, TextHeight, random);
            console.Invalidate(0, 0, Width, TextHeight);
            console.Refresh();
            await output.WriteAsync(Request(incremental: true), ct).ConfigureAwait(false);
            updates.Add(await ReadUpdateAsync(counting, tpixel, ct).ConfigureAwait(false));

            // Small changes: a block of text in the lower part and a wider line under it.
            DrawText(pixels, Height - 56, Height - 40, random, columns: 200);
            console.Invalidate(0, Height - 56, 200, 16);
            DrawText(pixels, Height - 120, Height - 56, random, columns: 96);
            console.Invalidate(0, Height - 120, 96, 64);
            console.Refresh();
            await output.WriteAsync(Request(incremental: true), ct).ConfigureAwait(false);
            updates.Add(await ReadUpdateAsync(counting, tpixel, ct).ConfigureAwait(false));

            // Scattered changes, one small block in each of many tiles: the damage is more
            // rectangles than a sort does by insertion alone.
            for (int k = 0; k < ScatteredBlocks; k++)
            {
                (int x, int y) = ScatteredBlock(k);
                DrawText(pixels, y, y + 8, random, columns: 8, left: x);
                console.Invalidate(x, y, 8, 8);
            }

            console.Refresh();
            await output.WriteAsync(Request(incremental: true), ct).ConfigureAwait(false);
            updates.Add(await ReadUpdateAsync(counting, tpixel, ct).ConfigureAwait(false));

            if (counting.SawJpeg)
            {
                // Nothing changes now: the areas sent as JPEG come again losslessly.
                await output.WriteAsync(Request(incremental: true), ct).ConfigureAwait(false);
                updates.Add(await ReadUpdateAsync(counting, tpixel, ct).ConfigureAwait(false));
            }

            await toServer.Writer.CompleteAsync().ConfigureAwait(false);
            await running.WaitAsync(ct).ConfigureAwait(false);
            return new Result(updates, counting.BytesRead, session.EndReason, counting.SawJpeg);
        }
        finally
        {
            await toServer.Writer.CompleteAsync().ConfigureAwait(false);
            await toClient.Reader.CompleteAsync().ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
            console.Dispose();
        }
    }

    /// <summary>How many 8×8 blocks the fifth update changes, each in a tile of its own.</summary>
    public const int ScatteredBlocks = 24;

    /// <summary>Where scattered block <paramref name="k"/> lies: one per 64×64 tile, in the lower part of the frame, right of the earlier small changes.</summary>
    public static (int X, int Y) ScatteredBlock(int k) => ((k % 8 * 72) + 100, TextHeight + 8 + (k / 8 * 64));

    private static byte[] Request(bool incremental)
    {
        byte[] request = new byte[10];
        request[0] = 3;
        request[1] = incremental ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), Width);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(8), Height);
        return request;
    }

    private static async Task<(int, int, int)[]> ReadUpdateAsync(CountingStream input, int tpixel, CancellationToken ct)
    {
        byte[] head = new byte[12];
        await input.ReadExactlyAsync(head.AsMemory(0, 4), ct).ConfigureAwait(false);
        if (head[0] != 0)
        {
            throw new InvalidDataException($"The private server sent message type {head[0]} instead of an update.");
        }

        // 0xFFFF: as many rectangles as come before a LastRect.
        int count = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2));
        var rects = new List<(int, int, int)>();
        for (int i = 0; count == ushort.MaxValue || i < count; i++)
        {
            await input.ReadExactlyAsync(head, ct).ConfigureAwait(false);
            int encoding = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(8));
            if (encoding == EncodingType.LastRect && count == ushort.MaxValue)
            {
                break;
            }

            (int, int, int) rect = (encoding, BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(6)));
            rects.Add(rect);
            switch (encoding)
            {
                case EncodingType.CopyRect:
                    await SkipAsync(input, 4, ct).ConfigureAwait(false);
                    break;
                case EncodingType.Zrle:
                    await input.ReadExactlyAsync(head.AsMemory(0, 4), ct).ConfigureAwait(false);
                    await SkipAsync(input, BinaryPrimitives.ReadInt32BigEndian(head), ct).ConfigureAwait(false);
                    break;
                case EncodingType.Tight:
                    input.SawJpeg |= await SkipTightAsync(input, rect.Item2, rect.Item3, tpixel, ct).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidDataException($"The private server sent encoding {encoding}, which was not asked for.");
            }
        }

        return [.. rects];
    }

    /// <summary>Skips one Tight rectangle's payload (RFB's Tight encoding: fill, JPEG, or basic with the copy, palette or gradient filter); returns whether it was JPEG.</summary>
    private static async Task<bool> SkipTightAsync(Stream input, int width, int height, int tpixel, CancellationToken ct)
    {
        int control = await ReadByteAsync(input, ct).ConfigureAwait(false);
        switch (control >> 4)
        {
            case 0x8: // fill
                await SkipAsync(input, tpixel, ct).ConfigureAwait(false);
                return false;
            case 0x9: // JPEG
                await SkipAsync(input, await ReadCompactLengthAsync(input, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                return true;
            case > 0x7:
                throw new InvalidDataException($"The private server sent Tight compression control {control:X2}.");
        }

        int filter = (control & 0x40) != 0 ? await ReadByteAsync(input, ct).ConfigureAwait(false) : 0;
        int size;
        switch (filter)
        {
            case 0: // copy
            case 2: // gradient
                size = width * height * tpixel;
                break;
            case 1: // palette
                int colours = await ReadByteAsync(input, ct).ConfigureAwait(false) + 1;
                await SkipAsync(input, colours * tpixel, ct).ConfigureAwait(false);
                size = colours == 2 ? (width + 7) / 8 * height : width * height;
                break;
            default:
                throw new InvalidDataException($"The private server sent Tight filter {filter}.");
        }

        // Fewer than 12 bytes go uncompressed, without a length.
        await SkipAsync(input, size < 12 ? size : await ReadCompactLengthAsync(input, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        return false;
    }

    private static async Task<int> ReadCompactLengthAsync(Stream input, CancellationToken ct)
    {
        int length = 0;
        for (int shift = 0; shift <= 14; shift += 7)
        {
            int b = await ReadByteAsync(input, ct).ConfigureAwait(false);
            length |= (shift < 14 ? b & 0x7F : b) << shift;
            if (shift < 14 && (b & 0x80) == 0)
            {
                break;
            }
        }

        return length;
    }

    private static async Task<byte> ReadByteAsync(Stream input, CancellationToken ct)
    {
        byte[] one = new byte[1];
        await input.ReadExactlyAsync(one, ct).ConfigureAwait(false);
        return one[0];
    }

    private static async Task SkipAsync(Stream input, int count, CancellationToken ct)
    {
        if (count < 0)
        {
            throw new InvalidDataException($"The private server sent a length of {count}.");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                int n = Math.Min(count, buffer.Length);
                await input.ReadExactlyAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Rows of two-colour "text": each 8-pixel cell of a row is ink or paper at random, so no two rows are alike.</summary>
    private static void DrawText(byte[] pixels, int fromRow, int toRow, Random random, int columns = Width, int left = 0)
    {
        for (int y = fromRow; y < toRow; y++)
        {
            Span<byte> row = pixels.AsSpan(((y * Width) + left) * 4, columns * 4);
            for (int x = 0; x < columns; x += 8)
            {
                uint colour = random.Next(3) == 0 ? 0x00E0E0E0u : 0x00102030u;
                for (int i = x; i < Math.Min(columns, x + 8); i++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(row[(i * 4)..], colour);
                }
            }
        }
    }

    /// <summary>Counts what the client read.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        /// <summary>Whether a Tight JPEG rectangle was read.</summary>
        public bool SawJpeg { get; set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
