using System.Security.Cryptography.X509Certificates;

namespace Rfb.Transports;

/// <summary>Loads a server certificate with its private key for TLS on the VNC or WebSocket endpoint.</summary>
public static class TlsCertificate
{
    /// <summary>
    /// Loads a certificate. A <c>.pfx</c>/<c>.p12</c> file is read as PKCS#12 with
    /// <paramref name="password"/>; anything else as PEM: the certificate from
    /// <paramref name="certificatePath"/> and its key from <paramref name="keyPath"/> (or from the
    /// same file when null).
    /// </summary>
    public static X509Certificate2 Load(string certificatePath, string? keyPath = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(certificatePath);
        string extension = Path.GetExtension(certificatePath);
        X509Certificate2 certificate;
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
        }
        else
        {
            using X509Certificate2 pem = password is null
                ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);

            // A PEM key is ephemeral; a PKCS#12 round trip gives a key that SslStream can use on
            // every platform.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"'{certificatePath}' holds no private key for its certificate.");
        }

        return certificate;
    }
}
