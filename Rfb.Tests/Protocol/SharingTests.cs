namespace Rfb.Tests.Protocol;

public sealed class SharingTests
{
    [Fact]
    public async Task NonSharedClient_DefaultPolicy_DisconnectsOthers()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient first = server.Connect();
        await first.HandshakeAsync(shared: true);
        Task firstSession = server.LastSession;
        await using TestClient exclusive = server.Connect();
        await exclusive.HandshakeAsync(shared: false);
        Assert.Empty(await first.ReadToEndAsync());
        await firstSession.WaitAsync(TestClient.Timeout);
        await exclusive.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, await exclusive.ReadExactAsync(4));
        Assert.Equal(1, server.Server.SessionCount);
    }

    [Fact]
    public async Task NonSharedClient_RefusePolicy_IsRefusedOthersStay()
    {
        await using var server = new InMemoryServer(4, 2, o => o.SharingPolicy = SharingPolicy.RefuseNonShared);
        await using TestClient first = server.Connect();
        await first.HandshakeAsync(shared: true);
        await using TestClient exclusive = server.Connect();
        await exclusive.ReadExactAsync(12);
        await exclusive.SendAsync("RFB 003.008\n"u8.ToArray());
        await exclusive.ReadExactAsync(2);
        await exclusive.SendAsync(1);
        await exclusive.ReadExactAsync(4);
        await exclusive.SendAsync(0);
        Assert.Empty(await exclusive.ReadToEndAsync());
        await first.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, await first.ReadExactAsync(4));
    }

    [Fact]
    public async Task NonSharedClient_Alone_IsAccepted()
    {
        await using var server = new InMemoryServer(4, 2, o => o.SharingPolicy = SharingPolicy.RefuseNonShared);
        await using TestClient only = server.Connect();
        await only.HandshakeAsync(shared: false);
        await only.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, await only.ReadExactAsync(4));
    }
}
