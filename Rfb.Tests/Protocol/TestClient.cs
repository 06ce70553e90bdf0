using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;

namespace Rfb.Tests.Protocol;

/// <summary>The client end of an in-memory or socket connection, with bounded waits.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly PipeReader _input;
    private readonly PipeWriter _output;

    public TestClient(PipeReader input, PipeWriter output)
    {
        _input = input;
        _output = output;
    }

    public async Task SendAsync(params byte[] bytes)
    {
        await _output.WriteAsync(bytes).AsTask().WaitAsync(Timeout);
    }

    /// <summary>Sends the bytes one at a time, flushing each, to exercise parsers on single-byte segments.</summary>
    public async Task SendByteByByteAsync(byte[] bytes)
    {
        foreach (byte b in bytes)
        {
            await _output.WriteAsync(new[] { b }).AsTask().WaitAsync(Timeout);
            await Task.Yield();
        }
    }

    public async Task<byte[]> ReadExactAsync(int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            ReadResult result = await _input.ReadAsync(cts.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                byte[] bytes = buffer.Slice(0, count).ToArray();
                _input.AdvanceTo(buffer.GetPosition(count));
                return bytes;
            }

            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                throw new EndOfStreamException($"The server closed the connection after {buffer.Length} of {count} bytes: {Convert.ToHexString(buffer.ToArray())}");
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public async Task<uint> ReadUInt32Async() => BinaryPrimitives.ReadUInt32BigEndian(await ReadExactAsync(4));

    public async Task<ushort> ReadUInt16Async() => BinaryPrimitives.ReadUInt16BigEndian(await ReadExactAsync(2));

    public async Task<byte> ReadByteAsync() => (await ReadExactAsync(1))[0];

    public async Task<string> ReadReasonAsync()
    {
        uint length = await ReadUInt32Async();
        return Encoding.UTF8.GetString(await ReadExactAsync((int)length));
    }

    /// <summary>Waits until the server closes the connection; returns the bytes that came before the end.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var all = new List<byte>();
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cts.Token);
            }
            catch (IOException)
            {
                return all.ToArray();
            }

            all.AddRange(result.Buffer.ToArray());
            _input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return all.ToArray();
            }
        }
    }

    /// <summary>Asserts that nothing arrives within <paramref name="window"/>.</summary>
    public async Task AssertNothingAsync(TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            ReadResult result = await _input.ReadAsync(cts.Token);
            byte[] got = result.Buffer.ToArray();
            _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            Assert.Fail($"Expected nothing, got {got.Length} bytes: {Convert.ToHexString(got.AsSpan(0, Math.Min(64, got.Length)))}");
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Completes the RFB 3.8 handshake with security None; returns the ServerInit bytes after the fixed part is read.</summary>
    public async Task<(int Width, int Height, string Name)> HandshakeAsync(bool shared = true)
    {
        Assert.Equal("RFB 003.008\n"u8.ToArray(), await ReadExactAsync(12));
        await SendAsync("RFB 003.008\n"u8.ToArray());
        Assert.Equal(new byte[] { 1, 1 }, await ReadExactAsync(2));
        await SendAsync(1);
        Assert.Equal(0u, await ReadUInt32Async());
        await SendAsync(shared ? (byte)1 : (byte)0);
        return await ReadServerInitAsync();
    }

    public async Task<(int Width, int Height, string Name)> ReadServerInitAsync()
    {
        byte[] fixedPart = await ReadExactAsync(24);
        int width = BinaryPrimitives.ReadUInt16BigEndian(fixedPart);
        int height = BinaryPrimitives.ReadUInt16BigEndian(fixedPart.AsSpan(2));
        // The canonical format: 32 bpp, depth 24, little-endian, true colour, 255/255/255, shifts 16/8/0.
        Assert.Equal(new byte[] { 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0 }, fixedPart.AsSpan(4, 16).ToArray());
        int nameLength = (int)BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(20));
        string name = Encoding.UTF8.GetString(await ReadExactAsync(nameLength));
        return (width, height, name);
    }

    public ValueTask DisposeAsync()
    {
        _output.Complete();
        _input.Complete();
        return ValueTask.CompletedTask;
    }
}
