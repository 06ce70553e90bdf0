using System.Buffers.Binary;
using Rfb.Recording;

namespace TraceBench;

/// <summary>
/// Writes a loaded trace in the pre-decoded form the C harnesses read (peers/tracefile.h), so that
/// they need neither zstd nor an FBS parser. Little-endian: <c>TBRAW001</c>, u32 width, height,
/// update count; per update u32 timestamp and operation count; per operation seven u32 (kind 0
/// pixels / 1 copy / 2 resize, x, y, w, h, source x, source y) and, for pixels, w*h*4 bytes.
/// </summary>
internal static class RawTraceWriter
{
    public static void Write(LoadedTrace trace, string path)
    {
        using var file = new BufferedStream(File.Create(path), 1 << 20);
        file.Write("TBRAW001"u8);
        WriteU32(file, (uint)trace.Width, (uint)trace.Height, (uint)trace.Updates.Count);
        foreach (TraceUpdate u in trace.Updates)
        {
            WriteU32(file, u.TimestampMs, (uint)u.Operations.Count);
            foreach (TraceOperation op in u.Operations)
            {
                uint kind = op.Kind switch
                {
                    TraceOperationKind.Raw => 0u,
                    TraceOperationKind.Copy => 1u,
                    _ => 2u,
                };
                WriteU32(file, kind, (uint)op.X, (uint)op.Y, (uint)op.Width, (uint)op.Height, (uint)op.SourceX, (uint)op.SourceY);
                if (op.Kind == TraceOperationKind.Raw)
                {
                    file.Write(op.Pixels.Span);
                }
            }
        }
    }

    private static void WriteU32(Stream s, params ReadOnlySpan<uint> values)
    {
        Span<byte> b = stackalloc byte[4];
        foreach (uint v in values)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            s.Write(b);
        }
    }
}
