using Rfb.Security;

namespace Rfb.Tests.Security;

public sealed class DesTests
{
    // Known-answer vectors, each also re-checked with the openssl command line:
    //   printf %s PLAIN | xxd -r -p | openssl enc -des-ecb -K KEY -nopad -provider legacy -provider default | xxd -p
    [Theory]
    // J. Orlin Grabbe, "The DES Algorithm Illustrated": the worked example.
    [InlineData("133457799BBCDFF1", "0123456789ABCDEF", "85E813540F0AB405")]
    // FIPS 81 (DES Modes of Operation), Appendix B, ECB example: "Now is the time for all ".
    [InlineData("0123456789ABCDEF", "4E6F772069732074", "3FA40E8A984D4815")]
    [InlineData("0123456789ABCDEF", "68652074696D6520", "6A271787AB8883F9")]
    [InlineData("0123456789ABCDEF", "666F7220616C6C20", "893D51EC4B563B53")]
    // NIST SP 800-17, Table A.1 (variable plaintext), round 1; its key is the weak key 0101010101010101.
    [InlineData("0101010101010101", "8000000000000000", "95F8A5E5DD31D900")]
    // NIST SP 800-17, Table A.2 (variable key), round 1.
    [InlineData("8001010101010101", "0000000000000000", "95A8D72813DAA94D")]
    // The validation set at the end of Outerbridge's d3des.c (single-length key).
    [InlineData("0123456789ABCDEF", "0123456789ABCDE7", "C95744256A5ED31D")]
    public void EncryptEcb_KnownAnswerVector_MatchesStandard(string keyHex, string plainHex, string cipherHex)
    {
        byte[] key = Convert.FromHexString(keyHex);
        byte[] plain = Convert.FromHexString(plainHex);
        var cipher = new byte[8];
        Des.EncryptEcb(key, plain, cipher);
        Assert.Equal(cipherHex, Convert.ToHexString(cipher));

        var back = new byte[8];
        Des.DecryptEcb(key, cipher, back);
        Assert.Equal(plainHex, Convert.ToHexString(back));
    }

    [Fact]
    public void EncryptEcb_TwoBlocks_EncryptsEachBlockIndependently()
    {
        // FIPS 81 ECB example again, as one 24-byte input: ECB must not chain the blocks.
        byte[] key = Convert.FromHexString("0123456789ABCDEF");
        byte[] plain = "Now is the time for all "u8.ToArray();
        var cipher = new byte[24];
        Des.EncryptEcb(key, plain, cipher);
        Assert.Equal("3FA40E8A984D48156A271787AB8883F9893D51EC4B563B53", Convert.ToHexString(cipher));
    }

    [Fact]
    public void EncryptEcb_WeakKeyFromVncPassword_IsAccepted()
    {
        // The password "xxxxpppp" bit-reversed is 1E1E1E1E0E0E0E0E, a DES weak key when parity is
        // ignored; System.Security.Cryptography.DES refuses it, VNC servers and clients do not.
        //   printf %s 0000000000000000 | xxd -r -p | openssl enc -des-ecb -K 1E1E1E1E0E0E0E0E -nopad -provider legacy -provider default | xxd -p
        var cipher = new byte[8];
        Des.EncryptEcb(Convert.FromHexString("1E1E1E1E0E0E0E0E"), new byte[8], cipher);
        Assert.Equal("94AEA8BD97D84ED9", Convert.ToHexString(cipher));
    }

    [Fact]
    public void SBoxes_EveryRow_IsAPermutationOfZeroToFifteen()
    {
        ReadOnlySpan<byte> boxes = Des.SBoxes;
        Assert.Equal(8 * 4 * 16, boxes.Length);
        for (int row = 0; row < 32; row++)
        {
            byte[] sorted = boxes.Slice(row * 16, 16).ToArray();
            Array.Sort(sorted);
            Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)i), sorted);
        }
    }

    [Fact]
    public void EncryptEcb_PartialBlock_Throws()
    {
        var output = new byte[16];
        Assert.Throws<ArgumentException>(() => Des.EncryptEcb(new byte[8], new byte[12], output));
    }

    [Fact]
    public void EncryptEcb_KeyNotEightBytes_Throws()
    {
        var output = new byte[8];
        Assert.Throws<ArgumentException>(() => Des.EncryptEcb(new byte[7], new byte[8], output));
    }
}
