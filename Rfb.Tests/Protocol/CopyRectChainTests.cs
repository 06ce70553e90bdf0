using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using ConsoleBridge;
using Rfb.Encodings;
using Rfb.Recording;
using Rfb.Transports;

namespace Rfb.Tests.Protocol;

/// <summary>
/// A recorded scroll (many guest blits per update) replayed into a console while a client that
/// speaks Raw and CopyRect follows in lock-step: its framebuffer, decoded here, must equal the
/// guest's after every update, and the blits must mostly reach it as CopyRects.
/// </summary>
public sealed class CopyRectChainTests
{
    [Fact]
    public async Task ScrollTrace_ManyBlitsPerUpdate_ClientFollowsPixelExactWithCopyRects()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "traces", "xterm_scroll_paced_first40.fbs.zst");
        using var reader = new FbsReader(path);
        TraceFramebuffer? guest = null;
        DisplayConsole? console = null;
        RfbServer? server = null;
        TestClient? client = null;
        byte[] mirror = [];
        int width = 0, height = 0, copyRects = 0, rawPixels = 0, updates = 0, blits = 0;
        try
        {
            foreach (TraceEvent e in RecordedSessionDecoder.ReadEvents(reader))
            {
                if (e is TraceServerInit init)
                {
                    (width, height) = (init.Width, init.Height);
                    guest = new TraceFramebuffer(width, height);
                    console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
                    console.SwitchSurface(guest.CreateSurface());
                    var options = new RfbServerOptions();
                    options.Endpoints.Clear();
                    server = new RfbServer(console, options);
                    var toServer = new Pipe();
                    var toClient = new Pipe();
                    _ = server.RunSessionAsync(new DuplexPipe(toServer.Reader, toClient.Writer), "chain", IPAddress.Loopback);
                    client = new TestClient(toClient.Reader, toServer.Writer);
                    await client.HandshakeAsync();
                    await client.SendAsync(ClientMessages.SetEncodings(EncodingType.CopyRect, EncodingType.Raw, EncodingType.LastRect));
                    await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, width, height));
                    mirror = new byte[width * height * 4];
                    (int c, int p) = await ReadUpdateAsync(client, mirror, width);
                    continue;
                }

                var update = (TraceUpdate)e;
                foreach (TraceOperation op in update.Operations)
                {
                    guest!.Apply(op);
                    if (op.Kind == TraceOperationKind.Copy)
                    {
                        console!.CopyRect(op.SourceX, op.SourceY, op.X, op.Y, op.Width, op.Height);
                        blits++;
                    }
                    else if (op.Kind == TraceOperationKind.Raw)
                    {
                        console!.Invalidate(op.X, op.Y, op.Width, op.Height);
                    }
                }

                console!.Refresh();
                await client!.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, width, height));
                (int copies, int pixels) = await ReadUpdateAsync(client, mirror, width);
                copyRects += copies;
                rawPixels += pixels;
                updates++;
                for (int i = 0; i < width * height; i++)
                {
                    uint expected = BinaryPrimitives.ReadUInt32LittleEndian(guest!.Pixels.AsSpan(i * 4)) & 0xFFFFFF;
                    uint actual = BinaryPrimitives.ReadUInt32LittleEndian(mirror.AsSpan(i * 4)) & 0xFFFFFF;
                    Assert.True(expected == actual, $"update {updates}: pixel ({i % width}, {i / width}) is {actual:X6}, the guest shows {expected:X6}");
                }
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            if (server is not null)
            {
                await server.StopAsync().WaitAsync(TestClient.Timeout);
            }

            console?.Dispose();
        }

        Assert.True(blits > 100, $"the trace has {blits} blits");
        // Most blits reach the client as CopyRects rather than pixels.
        Assert.True(copyRects * 2 > blits, $"{copyRects} CopyRects for {blits} blits over {updates} updates ({rawPixels} raw pixels)");
    }

    /// <summary>Reads one LastRect-terminated update of Raw and CopyRect rectangles into the mirror.</summary>
    internal static async Task<(int CopyRects, int RawPixels)> ReadUpdateAsync(TestClient client, byte[] mirror, int width)
    {
        byte[] header = await client.ReadExactAsync(4);
        Assert.Equal(0, header[0]);
        int copies = 0, pixels = 0;
        while (true)
        {
            byte[] r = await client.ReadExactAsync(12);
            int x = BinaryPrimitives.ReadUInt16BigEndian(r), y = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(2));
            int w = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(4)), h = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(6));
            int encoding = BinaryPrimitives.ReadInt32BigEndian(r.AsSpan(8));
            switch (encoding)
            {
                case EncodingType.LastRect:
                    return (copies, pixels);
                case EncodingType.Raw:
                    byte[] data = await client.ReadExactAsync(w * h * 4);
                    for (int row = 0; row < h; row++)
                    {
                        data.AsSpan(row * w * 4, w * 4).CopyTo(mirror.AsSpan(((y + row) * width + x) * 4));
                    }

                    pixels += w * h;
                    break;
                case EncodingType.CopyRect:
                    byte[] src = await client.ReadExactAsync(4);
                    int sx = BinaryPrimitives.ReadUInt16BigEndian(src), sy = BinaryPrimitives.ReadUInt16BigEndian(src.AsSpan(2));
                    var copy = new byte[w * h * 4];
                    for (int row = 0; row < h; row++)
                    {
                        mirror.AsSpan(((sy + row) * width + sx) * 4, w * 4).CopyTo(copy.AsSpan(row * w * 4));
                    }

                    for (int row = 0; row < h; row++)
                    {
                        copy.AsSpan(row * w * 4, w * 4).CopyTo(mirror.AsSpan(((y + row) * width + x) * 4));
                    }

                    copies++;
                    break;
                default:
                    Assert.Fail($"unexpected encoding {encoding}");
                    break;
            }
        }
    }
}
