using Rfb.Security;

namespace Rfb.Tests.Security;

public sealed class VncPasswordTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rfb-vncpassword-").FullName;

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Constructor_NineCharacters_IsRefusedWithExplanation()
    {
        var e = Assert.Throws<ArgumentException>(() => new VncPassword("123456789"));
        Assert.Equal("password", e.ParamName);
        Assert.Equal(
            "The password is longer than 8 characters. VNC Authentication uses only 8 characters, "
            + "and other servers would silently truncate this password, so it is refused rather than weakened. "
            + "(Parameter 'password')",
            e.Message);
    }

    [Fact]
    public void Constructor_Empty_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new VncPassword(""));
        Assert.StartsWith("The password is empty.", e.Message);
    }

    [Fact]
    public void Constructor_OutsideLatin1_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new VncPassword("pass\u20ACw"));
        Assert.StartsWith("The password has a character outside Latin-1 at position 5;", e.Message);
    }

    [Fact]
    public void Constructor_NulCharacter_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new VncPassword("ab\0cd"));
        Assert.StartsWith("The password has a NUL character at position 3,", e.Message);
    }

    [Fact]
    public void Constructor_ExactlyEightCharacters_DerivesBitReversedKey()
    {
        // By hand: '1' 0x31 = 00110001 -> 10001100 = 0x8C, '2' 0x32 -> 0x4C, '3' 0x33 -> 0xCC,
        // '4' 0x34 -> 0x2C, '5' 0x35 -> 0xAC, '6' 0x36 -> 0x6C, '7' 0x37 -> 0xEC, '8' 0x38 -> 0x1C.
        var password = new VncPassword("12345678");
        Assert.Equal("8C4CCC2CAC6CEC1C", Convert.ToHexString(password.Key));
    }

    [Fact]
    public void Constructor_ShortPassword_IsZeroPadded()
    {
        // 'a' 0x61 = 01100001 -> 10000110 = 0x86, 'b' 0x62 -> 0x46, 'c' 0x63 -> 0xC6.
        Assert.Equal("8646C60000000000", Convert.ToHexString(new VncPassword("abc").Key));
    }

    [Fact]
    public void Constructor_Latin1Character_UsesItsByte()
    {
        // U+00E9 'é' = 0xE9 = 11101001 -> 10010111 = 0x97.
        Assert.Equal("9700000000000000", Convert.ToHexString(new VncPassword("\u00E9").Key));
    }

    [Theory]
    [InlineData("secret\n")]
    [InlineData("secret\r\n")]
    [InlineData("secret")]
    [InlineData("secret\r\nsecond line is ignored\n")]
    public void FromFile_TextFile_ReadsFirstLine(string content)
    {
        string path = Write("password.txt", System.Text.Encoding.UTF8.GetBytes(content));
        Assert.Equal(Convert.ToHexString(new VncPassword("secret").Key), Convert.ToHexString(VncPassword.FromFile(path).Key));
    }

    [Fact]
    public void FromFile_SevenCharactersAndNewline_IsTextNotVncpasswd()
    {
        // Eight bytes, one of them not printable: still text, because the newline is trailing.
        string path = Write("password.txt", "1234567\n"u8.ToArray());
        Assert.Equal(Convert.ToHexString(new VncPassword("1234567").Key), Convert.ToHexString(VncPassword.FromFile(path).Key));
    }

    // vncpasswd files written by TigerVNC 1.12's vncpasswd:
    //   printf 'secret12\n' | vncpasswd -f | xxd -p              -> 24b5ae4ce15503c6
    //   printf 'pw\n' | vncpasswd -f | xxd -p                    -> 45d011ed9ab348f4
    //   printf 'secret12\nviewonly\n' | vncpasswd -f | xxd -p    -> 24b5ae4ce15503c63b33820a27ba4dd0
    // Cross-checked with openssl: the fixed key 23 82 107 6 35 78 88 7 (17526B06234E5807) must be
    // bit-reversed like any d3des key (TigerVNC common/rfb/d3des.c reverses bytebit[] inside
    // deskey(), and common/rfb/obfuscate.cxx passes the fixed key through deskey()), giving
    // E84AD660C4721AE0:
    //   printf secret12 | openssl enc -des-ecb -K E84AD660C4721AE0 -nopad -provider legacy -provider default | xxd -p  -> 24b5ae4ce15503c6
    //   printf %s 45d011ed9ab348f4 | xxd -r -p | openssl enc -d -des-ecb -K E84AD660C4721AE0 -nopad -provider legacy -provider default | xxd -p  -> 7077000000000000 ("pw")
    // while the unreversed key decrypts the same file to garbage:
    //   ... openssl enc -d -des-ecb -K 17526B06234E5807 ...  -> 39bbcd299ac4a951
    [Theory]
    [InlineData("24B5AE4CE15503C6", "secret12")]
    [InlineData("45D011ED9AB348F4", "pw")]
    [InlineData("24B5AE4CE15503C63B33820A27BA4DD0", "secret12")] // with a view-only password, ignored
    public void FromFile_TigerVncpasswdFile_DecodesPassword(string fileHex, string expectedPassword)
    {
        string path = Write("passwd", Convert.FromHexString(fileHex));
        Assert.Equal(Convert.ToHexString(new VncPassword(expectedPassword).Key), Convert.ToHexString(VncPassword.FromFile(path).Key));
    }

    [Fact]
    public void FromFile_MissingFile_ThrowsNamingTheFile()
    {
        string path = Path.Combine(_directory, "absent");
        var e = Assert.Throws<FileNotFoundException>(() => VncPassword.FromFile(path));
        Assert.Equal($"The VNC password file '{path}' does not exist.", e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void FromFile_TooLongPassword_ThrowsNamingTheFileAndReason()
    {
        string path = Write("password.txt", "123456789\n"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => VncPassword.FromFile(path));
        Assert.StartsWith($"The VNC password file '{path}' is not usable: the password is longer than 8 characters.", e.Message);
    }

    [Fact]
    public void FromFile_EmptyFirstLine_ThrowsNamingTheFileAndReason()
    {
        string path = Write("password.txt", "\r\nsecret\n"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => VncPassword.FromFile(path));
        Assert.Equal($"The VNC password file '{path}' is not usable: its first line is empty; the password must be on the first line.", e.Message);
    }

    [Fact]
    public void FromFile_BinaryOfWrongLength_ThrowsNamingTheFile()
    {
        string path = Write("passwd", [0xFF, 0xFE, 0x00, 0x01, 0x80, 0x90, 0xA0, 0xB0, 0xC0]);
        var e = Assert.Throws<InvalidDataException>(() => VncPassword.FromFile(path));
        Assert.StartsWith($"The VNC password file '{path}' is not usable: its first line is not UTF-8 text", e.Message);
    }

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
