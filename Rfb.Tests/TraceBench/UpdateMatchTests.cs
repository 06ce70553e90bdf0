using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using ConsoleBridge;
using Rfb.Recording;
using Rfb.Tests.Protocol;
using Rfb.Tests.Recording;
using TraceBench;
using TraceBench.Client;
using TraceBench.Servers;

namespace Rfb.Tests.TraceBench;

/// <summary>Which update the bench credits with carrying a replayed one, for this server.</summary>
public sealed class UpdateMatchTests
{
    /// <summary>
    /// A session woken by a refresh may write its update before <c>Refresh</c> returns to the
    /// replay (the replay's thread was preempted, or a slower subscriber ran). That update still
    /// carries the replayed one; timing from the return would credit the next update instead and
    /// add a whole frame interval to the latency.
    /// </summary>
    [Fact]
    public async Task Match_UpdateWrittenBeforeRefreshReturns_IsCreditedWithIt()
    {
        LoadedTrace trace = LoadedTrace.Load(TracePaths.TestData(TracePaths.XtermFirst30));
        await using var server = new RfbBenchServer();
        int port = await server.StartAsync(trace, CancellationToken.None);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream stream = tcp.GetStream();
        await using var client = new TestClient(PipeReader.Create(stream), PipeWriter.Create(stream));
        (int width, int height, _) = await client.HandshakeAsync();

        // Raw (no SetEncodings): the first update is the black frame, read whole.
        await client.SendAsync(Request(incremental: false, width, height));
        await ReadRawUpdateAsync(client);

        // A subscriber after the server's own holds the refresh's Updated call until the session
        // has written the update that the refresh made due.
        DisplayConsole console = server.Console!;
        int groupsBefore = server.WrittenGroups().Length;
        bool armed = true;
        bool writtenDuringRefresh = false;
        console.Updated += (_, _) =>
        {
            if (armed)
            {
                writtenDuringRefresh = SpinWait.SpinUntil(() => server.WrittenGroups().Length > groupsBefore, TimeSpan.FromSeconds(30));
            }
        };

        await client.SendAsync(Request(incremental: true, width, height));
        AppliedUpdate applied = await server.ApplyAsync(0, CancellationToken.None);
        armed = false;
        Assert.True(applied.Changed);
        Assert.True(writtenDuringRefresh, "the session wrote no update within 30 s of the refresh");

        // The client receives that update, with the replayed pixels in it.
        (int rectangles, long pixels) = await ReadRawUpdateAsync(client);
        Assert.True(rectangles > 0 && pixels > 0);

        (long offset, long ticks) = server.WrittenGroups()[groupsBefore];
        Assert.True(ticks > applied.VisibleTicks, "the update's first write must come after the moment the update counts as visible");
        int[]? match = server.MatchUpdates([applied], [new UpdateRecord(offset, ticks, ticks, 0, rectangles, pixels, 0)]);
        Assert.Equal([0], Assert.IsType<int[]>(match));
    }

    private static byte[] Request(bool incremental, int width, int height)
    {
        var m = new byte[10];
        m[0] = 3;
        m[1] = incremental ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(8), (ushort)height);
        return m;
    }

    /// <summary>Reads one FramebufferUpdate of Raw rectangles at 32 bpp; returns its rectangle and pixel counts.</summary>
    private static async Task<(int Rectangles, long Pixels)> ReadRawUpdateAsync(TestClient client)
    {
        byte[] header = await client.ReadExactAsync(4);
        Assert.Equal(0, header[0]);
        int count = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        long pixels = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] r = await client.ReadExactAsync(12);
            int w = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(4));
            int h = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(6));
            Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(r.AsSpan(8)));
            await client.ReadExactAsync(w * h * 4);
            pixels += (long)w * h;
        }

        return (count, pixels);
    }
}
