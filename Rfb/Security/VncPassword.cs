using System.Text;
using System.Text.Unicode;

namespace Rfb.Security;

/// <summary>
/// The password for VNC Authentication (RFB security type 2), kept only as the DES key derived
/// from it.
/// </summary>
/// <remarks>
/// VNC Authentication uses at most 8 characters, each one byte (Latin-1). Other servers cut a
/// longer password to 8 characters without saying so; this type refuses it instead, so that the
/// operator never believes a password is stronger than it is.
/// </remarks>
public sealed class VncPassword
{
    /// <summary>The most characters VNC Authentication can use.</summary>
    public const int MaxLength = 8;

    // TigerVNC's (and RealVNC's) vncpasswd file: the password, zero-padded to 8 bytes, encrypted
    // with d3des under this fixed key (common/rfb/obfuscate.cxx: d3desObfuscationKey). d3des's
    // deskey() reads key bits least significant first (its bytebit[] table is reversed for VNC,
    // common/rfb/d3des.c), so the fixed key gets the same bit reversal as a password does: the
    // standard DES key is E8 4A D6 60 C4 72 1A E0.
    private static ReadOnlySpan<byte> VncpasswdObfuscationKey => [23, 82, 107, 6, 35, 78, 88, 7];

    private readonly byte[] _key;

    /// <summary>Creates the password from its text.</summary>
    /// <param name="password">1 to 8 characters, each in Latin-1 (U+0001 to U+00FF).</param>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is null.</exception>
    /// <exception cref="ArgumentException">The password is empty, longer than 8 characters, or
    /// holds a character VNC Authentication cannot carry.</exception>
    public VncPassword(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        string? error = Validate(password);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(password));
        }

        _key = DeriveKey(password);
    }

    /// <summary>
    /// The standard DES key: the password's bytes zero-padded to 8, each byte bit-reversed.
    /// </summary>
    internal ReadOnlySpan<byte> Key => _key;

    /// <summary>
    /// Reads the password from a file: either text whose first line is the password (a trailing
    /// CR/LF is removed; UTF-8), or the 8-byte binary file written by TigerVNC's or RealVNC's
    /// <c>vncpasswd</c>.
    /// </summary>
    /// <remarks>
    /// A file of 8 bytes that are not printable text (after a trailing CR/LF) is taken as a
    /// vncpasswd file. TigerVNC's vncpasswd may append an 8-byte view-only password (16 bytes in
    /// all); only the first, full-access password is used then, and the view-only one is ignored.
    /// </remarks>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file's content is not a usable password; the
    /// message names the file and says why.</exception>
    public static VncPassword FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"The VNC password file '{path}' does not exist.", path, e);
        }

        bool binary = IsVncpasswdFile(content);
        string password = binary ? Deobfuscate(content.AsSpan(0, 8)) : FirstLine(content, path);
        string? error = password.Length == 0 && !binary
            ? "its first line is empty; the password must be on the first line."
            : Validate(password);
        if (error is not null)
        {
            throw new InvalidDataException($"The VNC password file '{path}' is not usable: {LowerFirst(error)}");
        }

        return new VncPassword(password);
    }

    private static string? Validate(string password)
    {
        if (password.Length == 0)
        {
            return "The password is empty. VNC Authentication needs 1 to 8 characters.";
        }

        if (password.Length > MaxLength)
        {
            return "The password is longer than 8 characters. VNC Authentication uses only 8 characters, "
                + "and other servers would silently truncate this password, so it is refused rather than weakened.";
        }

        for (int i = 0; i < password.Length; i++)
        {
            if (password[i] == '\0')
            {
                return $"The password has a NUL character at position {i + 1}, which other servers would take as its end.";
            }

            if (password[i] > '\u00FF')
            {
                return $"The password has a character outside Latin-1 at position {i + 1}; "
                    + "VNC Authentication carries one byte per character (U+0001 to U+00FF).";
            }
        }

        return null;
    }

    private static byte[] DeriveKey(string password)
    {
        var key = new byte[8];
        for (int i = 0; i < password.Length; i++)
        {
            key[i] = ReverseBits((byte)password[i]);
        }

        return key;
    }

    internal static byte ReverseBits(byte value)
    {
        // Swap nibbles, then bit pairs, then neighbouring bits.
        value = (byte)((value >> 4) | (value << 4));
        value = (byte)(((value & 0xCC) >> 2) | ((value & 0x33) << 2));
        return (byte)(((value & 0xAA) >> 1) | ((value & 0x55) << 1));
    }

    private static bool IsVncpasswdFile(byte[] content)
    {
        return (content.Length == 8 || content.Length == 16) && !IsPrintableText(content);
    }

    private static bool IsPrintableText(ReadOnlySpan<byte> content)
    {
        content = content.TrimEnd("\r\n"u8);
        if (!content.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            return true;
        }

        // Non-ASCII text: valid UTF-8 without control characters.
        if (Utf8.IsValid(content))
        {
            string text = Encoding.UTF8.GetString(content);
            foreach (char ch in text)
            {
                if (char.IsControl(ch))
                {
                    return false;
                }
            }

            return true;
        }

        return false;
    }

    private static string Deobfuscate(ReadOnlySpan<byte> obfuscated)
    {
        Span<byte> key = stackalloc byte[8];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = ReverseBits(VncpasswdObfuscationKey[i]);
        }

        Span<byte> plain = stackalloc byte[8];
        Des.DecryptEcb(key, obfuscated, plain);
        int end = plain.IndexOf((byte)0);
        string password = Encoding.Latin1.GetString(end < 0 ? plain : plain[..end]);
        plain.Clear();
        return password;
    }

    private static string FirstLine(byte[] content, string path)
    {
        ReadOnlySpan<byte> text = content;
        if (text.StartsWith("\uFEFF"u8))
        {
            text = text[3..];
        }

        int newline = text.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            text = text[..newline];
        }

        text = text.TrimEnd((byte)'\r');
        if (!Utf8.IsValid(text))
        {
            throw new InvalidDataException(
                $"The VNC password file '{path}' is not usable: its first line is not UTF-8 text, and the file is not an 8-byte vncpasswd file.");
        }

        return Encoding.UTF8.GetString(text);
    }

    private static string LowerFirst(string message)
    {
        return message.Length > 0 && char.IsUpper(message[0]) ? char.ToLowerInvariant(message[0]) + message[1..] : message;
    }
}
