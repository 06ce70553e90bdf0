using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Rfb.Encodings;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.NoVnc;

/// <summary>
/// Decodes FramebufferUpdate bytes with noVNC's own decoders (npm <c>@novnc/novnc</c> 1.6.0), run under Node by
/// <c>Rfb.Tests/NoVncHarness/decode.mjs</c>: noVNC's Websock receive queue, its Display and its rectangle decoders
/// (Raw, CopyRect, RRE, Hextile, Zlib, Tight, TightPNG, ZRLE, JPEG), fed exactly as noVNC's RFB client feeds them,
/// with one decoder object per encoding for the whole stream (so Tight's four zlib streams and ZRLE's stream
/// persist across rectangles and updates, as in a real session).
/// </summary>
/// <remarks>
/// Pixels must be in <see cref="PixelFormat"/>, the only format noVNC asks for. The harness also understands the
/// pseudo-rectangles LastRect, DesktopSize, DesktopName and QEMU extended key event. Needs <c>node</c> (Debian
/// package nodejs) and the harness's packages (<c>npm ci</c> in <c>Rfb.Tests/NoVncHarness</c>, which test.sh runs);
/// when either is missing the test fails under CI and is skipped elsewhere.
/// </remarks>
internal static class NoVncDecoder
{
    /// <summary>The noVNC version the harness is written against and checks for.</summary>
    public const string NoVncVersion = "1.6.0";

    /// <summary>A rectangle count that means "until a LastRect pseudo-rectangle" (RFB's LastRect extension).</summary>
    public const int LastRectCount = 0xFFFF;

    private const string HarnessFolderName = "NoVncHarness";
    private const string ScriptName = "decode.mjs";

    /// <summary>
    /// The pixel format noVNC always sets: 32 bits per pixel, depth 24, little-endian, true colour, 8 bits per
    /// channel with red at bit 0, green at 8 and blue at 16 (bytes R, G, B, unused on the wire). Its Tight and
    /// ZRLE compact pixels are therefore the 3 bytes R, G, B.
    /// </summary>
    public static PixelFormat PixelFormat { get; } = new(32, 24, false, true, 255, 255, 255, 0, 8, 16);

    /// <summary>
    /// Decodes one FramebufferUpdate of <paramref name="rectangleCount"/> rectangles (each a 12-byte header and its
    /// payload, back to back, as the encoders write them; pass <see cref="LastRectCount"/> when the rectangles end
    /// with a LastRect) into a fresh <paramref name="width"/> × <paramref name="height"/> framebuffer, and returns its
    /// colours. Pixels that no rectangle covered are black.
    /// </summary>
    /// <param name="chunkSize">When positive, the bytes reach noVNC this many at a time, as separate WebSocket
    /// messages would, so that every decoder also has to resume after running short of data. Otherwise they go in
    /// messages of 1 MiB (all at once when smaller).</param>
    /// <exception cref="NoVncDecodeException">noVNC failed, or the bytes ended inside a rectangle.</exception>
    /// <exception cref="TimeoutException">The harness did not finish within <paramref name="timeout"/>.</exception>
    public static async Task<ImageRgb> DecodeAsync(
        int width,
        int height,
        ReadOnlyMemory<byte> rectangles,
        int rectangleCount,
        TimeSpan timeout,
        int chunkSize = 0,
        CancellationToken cancellationToken = default)
    {
        var update = new ArrayBufferWriter<byte>(rectangles.Length + 4);
        WriteUpdateHeader(update, rectangleCount);
        update.Write(rectangles.Span);
        var framebuffer = await DecodeUpdatesAsync(width, height, update.WrittenMemory, timeout, chunkSize, cancellationToken);
        return framebuffer.ToImage();
    }

    /// <summary>
    /// Decodes a stream of whole FramebufferUpdate messages (type 0, padding, u16 rectangle count, rectangles),
    /// back to back as a server sends them, into a <paramref name="width"/> × <paramref name="height"/> framebuffer
    /// that starts transparent black, and returns noVNC's framebuffer with alpha. <paramref name="chunkSize"/> is as
    /// for <see cref="DecodeAsync"/>.
    /// </summary>
    /// <exception cref="NoVncDecodeException">noVNC failed, or the bytes ended inside a message.</exception>
    /// <exception cref="TimeoutException">The harness did not finish within <paramref name="timeout"/>.</exception>
    public static async Task<NoVncFramebuffer> DecodeUpdatesAsync(
        int width,
        int height,
        ReadOnlyMemory<byte> updates,
        TimeSpan timeout,
        int chunkSize = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkSize);

        var node = RequiredTool.Locate("node", "nodejs");
        var script = Path.Combine(LocateHarness(), ScriptName);

        // The test harness's process runner closes standard input, so the bytes travel in a file.
        var input = Path.Combine(Path.GetTempPath(), $"novnc-input-{Guid.NewGuid():N}.bin");
        try
        {
            await using (var file = File.Create(input))
            {
                var header = new byte[4];
                BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)width);
                BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)height);
                await file.WriteAsync(header, cancellationToken);
                await file.WriteAsync(updates, cancellationToken);
            }

            List<string> arguments = [script, input];
            if (chunkSize > 0)
            {
                arguments.AddRange(["--chunk", chunkSize.ToString(CultureInfo.InvariantCulture)]);
            }

            var result = await ToolProcess.RunAsync(node, arguments, timeout, null, cancellationToken);
            if (result.ExitCode != 0)
            {
                var message = result.StandardError.Trim();
                throw new NoVncDecodeException(
                    message.Length == 0 ? $"the noVNC harness exited with {result.ExitCode} and said nothing" : message,
                    result.ExitCode,
                    result.StandardError);
            }

            return ReadOutput(result);
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>Writes a FramebufferUpdate message header: type 0, padding, u16 rectangle count.</summary>
    public static void WriteUpdateHeader(IBufferWriter<byte> output, int rectangleCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rectangleCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rectangleCount, ushort.MaxValue);

        //  +---------+---------+-----------------------+
        //  | u8 0    | padding | u16 number-of-rects   |
        //  +---------+---------+-----------------------+
        var span = output.GetSpan(4);
        span[0] = 0;
        span[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(2), (ushort)rectangleCount);
        output.Advance(4);
    }

    /// <summary>
    /// The harness folder (holding <c>decode.mjs</c>, <c>package.json</c> and, after <c>npm ci</c>,
    /// <c>node_modules</c>), found from the test assembly's folder upwards in the source tree. Fails the test under
    /// CI, and skips it elsewhere, when the folder's packages are not installed or are not the pinned noVNC.
    /// </summary>
    internal static string LocateHarness()
    {
        var folder = FindHarnessFolder()
            ?? throw new InvalidOperationException($"Rfb.Tests/{HarnessFolderName}/{ScriptName} was not found above {AppContext.BaseDirectory}; the noVNC harness runs from the source tree.");

        var installed = Path.Combine(folder, "node_modules", "@novnc", "novnc", "package.json");
        string? problem = null;
        if (!File.Exists(installed))
        {
            problem = "its npm packages are not installed";
        }
        else if (ReadVersion(installed) is var version && version != NoVncVersion)
        {
            problem = $"node_modules holds noVNC {version ?? "(unknown version)"} instead of {NoVncVersion}";
        }
        else if (!File.Exists(Path.Combine(folder, "node_modules", "jpeg-js", "package.json"))
            || !File.Exists(Path.Combine(folder, "node_modules", "pngjs", "package.json")))
        {
            problem = "its npm packages are incomplete";
        }

        if (problem is null)
        {
            return folder;
        }

        var message = $"The noVNC decoder harness cannot run: {problem}. Run 'npm ci' in {folder} (test.sh does this; it needs the Debian packages nodejs and npm).";
        throw RequiredTool.IsCi
            ? Xunit.Sdk.FailException.ForFailure(message + " (the CI environment variable is set, so this is a failure)")
            : Xunit.Sdk.SkipException.ForSkip(message);
    }

    private static string? FindHarnessFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in (string[])[Path.Combine(directory.FullName, HarnessFolderName), Path.Combine(directory.FullName, "Rfb.Tests", HarnessFolderName)])
            {
                if (File.Exists(Path.Combine(candidate, ScriptName)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static string? ReadVersion(string packageJson)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(packageJson));
        return document.RootElement.TryGetProperty("version", out var version) ? version.GetString() : null;
    }

    //  +-----------+------------+-------------------------------+
    //  | u32 width | u32 height | width * height * (R, G, B, A) |
    //  +-----------+------------+-------------------------------+
    private static NoVncFramebuffer ReadOutput(ToolResult result)
    {
        var output = result.StandardOutput;
        if (output.Length < 8)
        {
            throw new InvalidOperationException($"The noVNC harness wrote {output.Length} bytes, fewer than its 8-byte header: {result.Describe()}");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(output);
        var height = BinaryPrimitives.ReadUInt32BigEndian(output.AsSpan(4));
        var expected = 8 + ((long)width * height * 4);
        if (width > ushort.MaxValue || height > ushort.MaxValue || output.Length != expected)
        {
            throw new InvalidOperationException($"The noVNC harness wrote {output.Length} bytes for a {width}x{height} framebuffer (expected {expected}): {result.Describe()}");
        }

        return new NoVncFramebuffer((int)width, (int)height, output.AsSpan(8).ToArray());
    }
}
