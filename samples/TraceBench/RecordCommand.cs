using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rfb.Encodings;
using Rfb.Recording;
using TraceBench.Client;

namespace TraceBench;

/// <summary>
/// <c>TraceBench record HOST:PORT --seconds N OUT.fbs[.zst]</c>: records what any RFB server sends
/// to a client that asks for Raw, CopyRect, DesktopSize and LastRect at 32 bpp XRGB8888 and keeps
/// one incremental request outstanding, as an FBS file of the form <see cref="RecordedSessionDecoder"/> reads.
/// </summary>
internal static class RecordCommand
{
    /// <summary>zstd level while recording: fast enough to keep up with full-screen Raw (recompress with -19 afterwards if wanted).</summary>
    private const int LiveCompressionLevel = 3;

    public static int Run(string[] args, TextWriter output)
    {
        (string host, int port, double seconds, string path) = Parse(args);
        int[] encodings = [EncodingType.Raw, EncodingType.CopyRect, EncodingType.DesktopSize, EncodingType.LastRect];
        using MeasuringClient client = MeasuringClient.Connect(host, port, encodings, TimeSpan.FromSeconds(10));
        bool compress = path.EndsWith(".zst", StringComparison.OrdinalIgnoreCase);
        using var writer = new FbsWriter(File.Create(path), compress, LiveCompressionLevel);
        writer.WriteBlock(Preamble(client), 0);

        var tap = new ArrayBufferWriter<byte>(1 << 20);
        client.Input.Tap = tap;
        long started = Stopwatch.GetTimestamp();
        using var timer = new Timer(_ => client.Shutdown(), null, TimeSpan.FromSeconds(seconds), Timeout.InfiniteTimeSpan);
        long updates = 0;
        bool incremental = false;
        try
        {
            while (true)
            {
                client.RequestUpdate(incremental);
                incremental = true;
                client.ReadUpdate();
                writer.WriteBlock(tap.WrittenSpan, (uint)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                tap.ResetWrittenCount();
                updates++;
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The time is up (or the server went away): the unfinished message is dropped.
        }

        output.WriteLine($"Recorded {updates} updates in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s from {client.DesktopName} ({client.Framebuffer!.Width}x{client.Framebuffer.Height}) to {path}");
        return updates > 0 ? 0 : 1;
    }

    /// <summary>RFB 3.3 framing as FBS players expect it: version, security None, ServerInit with the format asked for.</summary>
    private static byte[] Preamble(MeasuringClient client)
    {
        byte[] name = Encoding.UTF8.GetBytes(client.DesktopName);
        var b = new byte[12 + 4 + 4 + PixelFormat.WireSize + 4 + name.Length];
        "RFB 003.003\n"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), 1);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(16), (ushort)client.Framebuffer!.Width);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(18), (ushort)client.Framebuffer.Height);
        PixelFormat.Canonical.Write(b.AsSpan(20));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(20 + PixelFormat.WireSize), (uint)name.Length);
        name.CopyTo(b.AsSpan(24 + PixelFormat.WireSize));
        return b;
    }

    internal static (string Host, int Port, double Seconds, string Path) Parse(string[] args)
    {
        string? endpoint = null, path = null;
        double seconds = -1;
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--seconds")
            {
                if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || seconds <= 0)
                {
                    throw new BenchOptionsException("record: --seconds needs a positive number.");
                }

                i++;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new BenchOptionsException($"record: unknown option {args[i]}.");
            }
            else if (endpoint is null)
            {
                endpoint = args[i];
            }
            else if (path is null)
            {
                path = args[i];
            }
            else
            {
                throw new BenchOptionsException($"record: unexpected argument {args[i]}.");
            }
        }

        if (endpoint is null || path is null || seconds < 0)
        {
            throw new BenchOptionsException("Usage: TraceBench record HOST:PORT --seconds N OUT.fbs.zst");
        }

        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new BenchOptionsException($"record: {endpoint} is not HOST:PORT.");
        }

        return (endpoint[..colon].Trim('[', ']'), port, seconds, path);
    }
}
