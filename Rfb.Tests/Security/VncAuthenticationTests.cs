using Rfb.Security;

namespace Rfb.Tests.Security;

public sealed class VncAuthenticationTests
{
    // Vectors made with the openssl command line. The key is the password zero-padded to 8 bytes
    // with the bits of each byte reversed, worked out by hand, e.g. for "password":
    //   'p' 0x70 = 01110000 -> 00001110 = 0x0E, 'a' 0x61 -> 0x86, 's' 0x73 -> 0xCE, 'w' 0x77 -> 0xEE,
    //   'o' 0x6F -> 0xF6, 'r' 0x72 -> 0x4E, 'd' 0x64 -> 0x26: key 0E86CECEEEF64E26.
    // Without the reversal (key 70617373776F7264) openssl gives EB175C5F075811CD27669005286B11CC,
    // so each vector fails if the reversal is missing.
    [Theory]
    // printf %s 000102030405060708090A0B0C0D0E0F | xxd -r -p | openssl enc -des-ecb -K 0E86CECEEEF64E26 -nopad -provider legacy -provider default | xxd -p
    [InlineData("password", "000102030405060708090A0B0C0D0E0F", "B866924125C8EEBB9DEBC1DB61C538E2")]
    // 'a' -> 0x86, 'b' 0x62 -> 0x46, 'c' 0x63 -> 0xC6, then zero padding: key 8646C60000000000.
    // printf %s D2D6393D6663ACCE6E6F5CB2AFBDCC69 | xxd -r -p | openssl enc -des-ecb -K 8646C60000000000 -nopad -provider legacy -provider default | xxd -p
    [InlineData("abc", "D2D6393D6663ACCE6E6F5CB2AFBDCC69", "C22371771F3B3A4B33EEA8896134BB9B")]
    // 'x' 0x78 -> 0x1E, 'p' -> 0x0E: key 1E1E1E1E0E0E0E0E, a DES weak key (parity ignored).
    // printf %s D2D6393D6663ACCE6E6F5CB2AFBDCC69 | xxd -r -p | openssl enc -des-ecb -K 1E1E1E1E0E0E0E0E -nopad -provider legacy -provider default | xxd -p
    [InlineData("xxxxpppp", "D2D6393D6663ACCE6E6F5CB2AFBDCC69", "18CCE253A0ECF959BDFBC5D84B6D3841")]
    public void ComputeResponse_PasswordAndChallenge_MatchesOpenSsl(string password, string challengeHex, string responseHex)
    {
        byte[] challenge = Convert.FromHexString(challengeHex);
        var response = new byte[16];
        VncAuthentication.ComputeResponse(challenge, new VncPassword(password).Key, response);
        Assert.Equal(responseHex, Convert.ToHexString(response));
    }

    [Fact]
    public void Verify_ResponseFromOpenSsl_Succeeds()
    {
        // Same vector as "password" above.
        byte[] challenge = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        byte[] response = Convert.FromHexString("B866924125C8EEBB9DEBC1DB61C538E2");
        Assert.True(VncAuthentication.Verify(challenge, response, new VncPassword("password")));
    }

    [Fact]
    public void Verify_OneBitFlipped_Fails()
    {
        byte[] challenge = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        byte[] response = Convert.FromHexString("B866924125C8EEBB9DEBC1DB61C538E3");
        Assert.False(VncAuthentication.Verify(challenge, response, new VncPassword("password")));
    }

    [Fact]
    public void Verify_ResponseWithoutBitReversal_Fails()
    {
        // What a client that forgot the reversal sends (openssl with key 70617373776F7264).
        byte[] challenge = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        byte[] response = Convert.FromHexString("EB175C5F075811CD27669005286B11CC");
        Assert.False(VncAuthentication.Verify(challenge, response, new VncPassword("password")));
    }

    [Fact]
    public void Verify_WrongPassword_Fails()
    {
        byte[] challenge = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        byte[] response = Convert.FromHexString("B866924125C8EEBB9DEBC1DB61C538E2");
        Assert.False(VncAuthentication.Verify(challenge, response, new VncPassword("passwore")));
    }

    [Fact]
    public void Verify_WrongLengths_Fail()
    {
        byte[] challenge = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        byte[] response = Convert.FromHexString("B866924125C8EEBB9DEBC1DB61C538E2");
        var password = new VncPassword("password");
        Assert.False(VncAuthentication.Verify(challenge, response.AsSpan(0, 15), password));
        Assert.False(VncAuthentication.Verify(challenge.AsSpan(0, 8), response, password));
        Assert.False(VncAuthentication.Verify(challenge, [.. response, 0], password));
    }

    [Fact]
    public void Verify_Warm_DoesNotAllocate()
    {
        byte[] challenge = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        byte[] response = Convert.FromHexString("B866924125C8EEBB9DEBC1DB61C538E2");
        var password = new VncPassword("password");
        for (int i = 0; i < 10; i++)
        {
            VncAuthentication.Verify(challenge, response, password);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool match = VncAuthentication.Verify(challenge, response, password);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(match);
    }

    [Fact]
    public void CreateChallenge_TwoCalls_GiveDifferentSixteenByteChallenges()
    {
        byte[] first = VncAuthentication.CreateChallenge();
        byte[] second = VncAuthentication.CreateChallenge();
        Assert.Equal(16, first.Length);
        Assert.Equal(16, second.Length);
        Assert.NotEqual(first, second); // 2^-128 chance of a false failure
    }
}
