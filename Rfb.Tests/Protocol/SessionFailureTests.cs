using System.Buffers;
using Rfb.Encodings;

namespace Rfb.Tests.Protocol;

/// <summary>
/// A failure of the server's own code while serving one client (here an encoder that throws)
/// closes that client's connection, instead of leaving it open and silent, and the other
/// sessions go on.
/// </summary>
public sealed class SessionFailureTests
{
    [Fact]
    public async Task EncoderThrows_ThatClientsConnectionCloses_AnotherClientIsServed()
    {
        int sessions = 0;
        await using var server = new InMemoryServer(64, 32, o => o.EncoderFactoryForTests = encoding =>
            encoding == EncodingType.Zrle && Interlocked.Increment(ref sessions) == 1 ? new ThrowingEncoder() : null);

        await using TestClient failing = server.Connect();
        Task failingSession = server.LastSession;
        await failing.HandshakeAsync();
        await failing.SendAsync(ClientMessages.SetEncodings(EncodingType.Zrle));
        await failing.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 64, 32));

        // Nothing of an update, then the end of the stream (ReadToEndAsync times out otherwise).
        Assert.Empty(await failing.ReadToEndAsync());
        await failingSession.WaitAsync(TestClient.Timeout);

        await using TestClient other = server.Connect();
        await other.HandshakeAsync();
        await other.SendAsync(ClientMessages.SetEncodings(EncodingType.Zrle));
        await other.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 64, 32));
        byte[] head = await other.ReadExactAsync(4 + 12);
        Assert.Equal(0, head[0]); // FramebufferUpdate
        Assert.Equal(EncodingType.Zrle, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4 + 8)));
    }

    private sealed class ThrowingEncoder : IRectangleEncoder
    {
        public int Encoding => EncodingType.Zrle;

        public int Encode(PixelView rect, int x, int y, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
            => throw new InvalidOperationException("injected encoder failure");

        public int EncodeBatch(PixelView surface, ReadOnlySpan<BatchRect> rects, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output, Span<bool> lossy)
            => throw new InvalidOperationException("injected encoder failure");

        public void Dispose()
        {
        }
    }
}
