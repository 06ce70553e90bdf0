using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rfb.Tests.Protocol;
using Rfb.Transports;

namespace Rfb.Tests.WebSockets;

public sealed class TlsTests
{
    /// <summary>A self-signed certificate for 127.0.0.1, made here, with its private key.</summary>
    private static X509Certificate2 CreateSelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=rfb test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Trusts exactly the given certificate (pinned by its bytes), nothing else.</summary>
    private static RemoteCertificateValidationCallback Pin(X509Certificate2 expected) =>
        (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(expected.RawData);

    [Fact]
    public async Task Wss_SelfSignedCertificate_RunsASession()
    {
        using X509Certificate2 certificate = CreateSelfSigned();
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync(configure: o => o.WebSocket.Certificate = certificate);
        (ClientWebSocket socket, TestClient client) = await server.ConnectAsync(
            o =>
            {
                o.AddSubProtocol("binary");
                o.RemoteCertificateValidationCallback = Pin(certificate);
            },
            scheme: "wss");
        await using (client)
        {
            Assert.Equal("binary", socket.SubProtocol);
            Assert.Equal((8, 4, "ws"), await client.HandshakeAsync());
            await server.AssertFullUpdateAsync(client, 0x00C0FFEE);
        }
    }

    [Fact]
    public async Task Https_SelfSignedCertificate_ServesFiles_PlainHttpGetsNoAnswer()
    {
        using X509Certificate2 certificate = CreateSelfSigned();
        string root = Directory.CreateTempSubdirectory("rfb-tls-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "vnc.html"), "<title>x</title>");
            await using WebSocketTestServer server = await WebSocketTestServer.StartAsync(configure: o =>
            {
                o.WebSocket.Certificate = certificate;
                o.WebSocket.StaticFilesRoot = root;
            });
            using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = Pin(certificate) } };
            using var http = new HttpClient(handler) { Timeout = TestClient.Timeout };
            Assert.Equal("<title>x</title>", await http.GetStringAsync(server.Uri("https", "/vnc.html")));

            // Plain HTTP on the TLS port is not a TLS ClientHello: the handshake fails, the connection closes.
            await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
            await raw.SendAsync("GET /vnc.html HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.DoesNotContain("HTTP/1.1", await raw.ReadToEndAsync(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task VncPortTls_SelfSignedCertificate_RunsASession()
    {
        using X509Certificate2 certificate = CreateSelfSigned();
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync(configure: o => o.TlsCertificate = certificate);
        IPEndPoint endpoint = server.Server.LocalEndpoints[0];
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint).WaitAsync(TestClient.Timeout);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), false, Pin(certificate));
        using var timeout = new CancellationTokenSource(TestClient.Timeout);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }, timeout.Token);
        await using var client = new TestClient(PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true)), PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true)));
        Assert.Equal((8, 4, "ws"), await client.HandshakeAsync());
        await server.AssertFullUpdateAsync(client, 0x00BADA55);
    }

    [Fact]
    public void Load_PemCertificateAndKeyFiles_AndPfx_HavePrivateKeys()
    {
        using X509Certificate2 certificate = CreateSelfSigned();
        string folder = Directory.CreateTempSubdirectory("rfb-pem-").FullName;
        try
        {
            string certPath = Path.Combine(folder, "cert.pem");
            string keyPath = Path.Combine(folder, "key.pem");
            string pfxPath = Path.Combine(folder, "both.pfx");
            File.WriteAllText(certPath, certificate.ExportCertificatePem());
            File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllBytes(pfxPath, certificate.Export(X509ContentType.Pkcs12, "pw"));

            using X509Certificate2 fromPem = TlsCertificate.Load(certPath, keyPath);
            using X509Certificate2 fromPfx = TlsCertificate.Load(pfxPath, password: "pw");
            Assert.True(fromPem.HasPrivateKey);
            Assert.True(fromPfx.HasPrivateKey);
            Assert.Equal(certificate.Thumbprint, fromPem.Thumbprint);
            Assert.Equal(certificate.Thumbprint, fromPfx.Thumbprint);

            File.WriteAllText(Path.Combine(folder, "only.pem"), certificate.ExportCertificatePem());
            Assert.ThrowsAny<CryptographicException>(() => TlsCertificate.Load(Path.Combine(folder, "only.pem")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
