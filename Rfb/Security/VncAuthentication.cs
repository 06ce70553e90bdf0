using System.Security.Cryptography;

namespace Rfb.Security;

/// <summary>
/// VNC Authentication, security type 2 (RFC 6143 §7.2.2): the server sends a random 16-byte
/// challenge; the client encrypts it with DES in ECB mode (two independent 8-byte blocks) under
/// a key made from the password, and sends the 16 bytes back.
/// </summary>
/// <remarks>
/// The key is not the password bytes as they are: VNC's DES code (d3des with its bit table
/// reversed) takes the bits of each key byte least significant first, so a standard DES needs
/// each byte bit-reversed. <see cref="VncPassword"/> holds the key in that standard form.
/// </remarks>
internal static class VncAuthentication
{
    public const int ChallengeSize = 16;

    /// <summary>A fresh challenge from the system's cryptographic random number generator.</summary>
    public static byte[] CreateChallenge()
    {
        var challenge = new byte[ChallengeSize];
        RandomNumberGenerator.Fill(challenge);
        return challenge;
    }

    /// <summary>
    /// The response a client holding <paramref name="key8"/> sends for <paramref name="challenge16"/>.
    /// </summary>
    /// <param name="challenge16">The 16-byte challenge.</param>
    /// <param name="key8">A standard DES key: the password, zero-padded to 8 bytes, each byte
    /// bit-reversed (<see cref="VncPassword"/> makes it).</param>
    /// <param name="response16">Receives the 16-byte response.</param>
    public static void ComputeResponse(ReadOnlySpan<byte> challenge16, ReadOnlySpan<byte> key8, Span<byte> response16)
    {
        if (challenge16.Length != ChallengeSize)
        {
            throw new ArgumentException("A VNC Authentication challenge is exactly 16 bytes.", nameof(challenge16));
        }

        if (response16.Length != ChallengeSize)
        {
            throw new ArgumentException("A VNC Authentication response is exactly 16 bytes.", nameof(response16));
        }

        Des.EncryptEcb(key8, challenge16, response16);
    }

    /// <summary>
    /// Whether <paramref name="response"/> is the right answer to <paramref name="challenge"/> for
    /// <paramref name="password"/>. The comparison takes the same time wherever the bytes differ.
    /// A challenge or response of the wrong length is simply not a match.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> response, VncPassword password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (challenge.Length != ChallengeSize || response.Length != ChallengeSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[ChallengeSize];
        ComputeResponse(challenge, password.Key, expected);
        bool match = CryptographicOperations.FixedTimeEquals(expected, response);
        CryptographicOperations.ZeroMemory(expected);
        return match;
    }
}
