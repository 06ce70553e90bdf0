using System.Buffers;

namespace Rfb.Encodings;

/// <summary>Copying encoded bytes to an output buffer.</summary>
internal static class BufferWriting
{
    // Bytes are copied in pieces of at most this size, so that a large rectangle never asks the
    // output for one huge buffer.
    private const int CopyPiece = 16 * 1024;

    /// <summary>Copies <paramref name="bytes"/> to <paramref name="output"/>, asking it for at most 16 KiB at a time.</summary>
    public static void WriteInPieces(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            Span<byte> span = output.GetSpan(Math.Min(bytes.Length, CopyPiece));
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }
}
