using System.Net;
using Rfb.Security;

namespace Rfb.Tests.Protocol;

public sealed class SecurityHandshakeTests
{
    private static async Task<byte[]> StartVncAuthAsync(TestClient client, string version)
    {
        await client.ReadExactAsync(12);
        await client.SendAsync(System.Text.Encoding.ASCII.GetBytes(version));
        if (version == "RFB 003.003\n")
        {
            Assert.Equal(2u, await client.ReadUInt32Async());
        }
        else
        {
            Assert.Equal(new byte[] { 1, 2 }, await client.ReadExactAsync(2));
            await client.SendAsync(2);
        }

        return await client.ReadExactAsync(16);
    }

    private static byte[] Respond(byte[] challenge, string password)
    {
        var response = new byte[16];
        VncAuthentication.ComputeResponse(challenge, new VncPassword(password).Key, response);
        return response;
    }

    [Theory]
    [InlineData("RFB 003.003\n")]
    [InlineData("RFB 003.007\n")]
    [InlineData("RFB 003.008\n")]
    public async Task VncAuth_RightPassword_ResultOkThenServerInit(string version)
    {
        await using var server = new InMemoryServer(4, 2, o => o.Password = new VncPassword("secret"));
        await using TestClient client = server.Connect();
        byte[] challenge = await StartVncAuthAsync(client, version);
        await client.SendAsync(Respond(challenge, "secret"));
        Assert.Equal(0u, await client.ReadUInt32Async());
        await client.SendAsync(1);
        Assert.Equal((4, 2, "test"), await client.ReadServerInitAsync());
    }

    [Fact]
    public async Task VncAuth_WrongPassword38_FailureWithReasonThenClose()
    {
        await using var server = new InMemoryServer(4, 2, o => o.Password = new VncPassword("secret"));
        await using TestClient client = server.Connect();
        byte[] challenge = await StartVncAuthAsync(client, "RFB 003.008\n");
        await client.SendAsync(Respond(challenge, "wrong"));
        Assert.Equal(1u, await client.ReadUInt32Async());
        Assert.Equal("Authentication failed: wrong password.", await client.ReadReasonAsync());
        Assert.Empty(await client.ReadToEndAsync());
    }

    [Fact]
    public async Task VncAuth_WrongPassword37_FailureWithoutReason()
    {
        await using var server = new InMemoryServer(4, 2, o => o.Password = new VncPassword("secret"));
        await using TestClient client = server.Connect();
        byte[] challenge = await StartVncAuthAsync(client, "RFB 003.007\n");
        await client.SendAsync(Respond(challenge, "wrong"));
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, await client.ReadToEndAsync());
    }

    [Fact]
    public async Task VncAuth_RepeatedFailures_AddressBlockedOthersNot()
    {
        await using var server = new InMemoryServer(4, 2, o =>
        {
            o.Password = new VncPassword("secret");
            o.AuthenticationThrottle = new AuthenticationThrottleOptions { FailureThreshold = 2, InitialBlock = TimeSpan.FromMinutes(5) };
        });
        var attacker = IPAddress.Parse("192.0.2.7");
        for (int i = 0; i < 2; i++)
        {
            await using TestClient client = server.Connect(attacker);
            byte[] challenge = await StartVncAuthAsync(client, "RFB 003.008\n");
            await client.SendAsync(Respond(challenge, "guess" + i));
            Assert.Equal(1u, await client.ReadUInt32Async());
        }

        await using (TestClient blocked = server.Connect(attacker))
        {
            await blocked.ReadExactAsync(12);
            await blocked.SendAsync("RFB 003.008\n"u8.ToArray());
            Assert.Equal(0, await blocked.ReadByteAsync()); // no security types: a reason follows
            Assert.Equal("Too many authentication failures from this address; try again in 300 s.", await blocked.ReadReasonAsync());
            Assert.Empty(await blocked.ReadToEndAsync());
        }

        await using (TestClient blocked33 = server.Connect(attacker))
        {
            await blocked33.ReadExactAsync(12);
            await blocked33.SendAsync("RFB 003.003\n"u8.ToArray());
            Assert.Equal(0u, await blocked33.ReadUInt32Async()); // security type 0 (invalid): a reason follows
            Assert.StartsWith("Too many authentication failures", await blocked33.ReadReasonAsync());
        }

        await using TestClient other = server.Connect(IPAddress.Parse("192.0.2.8"));
        byte[] c = await StartVncAuthAsync(other, "RFB 003.008\n");
        await other.SendAsync(Respond(c, "secret"));
        Assert.Equal(0u, await other.ReadUInt32Async());
    }
}
