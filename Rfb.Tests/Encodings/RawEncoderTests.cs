using System.Buffers;
using Rfb.Encodings;

namespace Rfb.Tests.Encodings;

public sealed class RawEncoderTests
{
    // A 6 x 4 buffer with a stride of 8 (two unused pixels per row, 0xDEADBEEF as a tripwire);
    // pixel (x, y) is 0x00YYXX00 + 0xAB.
    private static uint[] MakeBuffer()
    {
        var pixels = new uint[8 * 4];
        pixels.AsSpan().Fill(0xDEADBEEF);
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 6; x++)
            {
                pixels[y * 8 + x] = (uint)((y << 16) | (x << 8) | 0xAB);
            }
        }

        return pixels;
    }

    [Fact]
    public void Encode_SlicedViewWithStride_WritesRowsInClientFormat()
    {
        uint[] buffer = MakeBuffer();
        var output = new RecordingWriter();
        var translator = new PixelTranslator(PixelFormat.Canonical with { BigEndian = true });

        RawEncoder.Encode(new PixelView(buffer, 8, 6, 4).Slice(1, 1, 3, 2), translator, output);

        // Canonical big-endian: 0, R, G, B per pixel; rows 1 and 2, columns 1 to 3.
        byte[] expected =
        [
            0x00, 0x01, 0x01, 0xAB, 0x00, 0x01, 0x02, 0xAB, 0x00, 0x01, 0x03, 0xAB,
            0x00, 0x02, 0x01, 0xAB, 0x00, 0x02, 0x02, 0xAB, 0x00, 0x02, 0x03, 0xAB,
        ];
        Assert.Equal(expected, output.Written);
        Assert.Equal([12, 12], output.Requests); // one reservation per row
    }

    [Fact]
    public void Encode_Rgb565LittleEndian_WritesTwoBytesPerPixel()
    {
        uint[] buffer = MakeBuffer();
        var output = new ArrayBufferWriter<byte>();
        var translator = new PixelTranslator(new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0));

        RawEncoder.Encode(new PixelView(buffer, 8, 6, 4).Slice(5, 2, 1, 2), translator, output);

        // (5, 2) = (0x02, 0x05, 0xAB): r (2*31+127)/255 = 0, g (5*63+127)/255 = 1,
        // b (171*31+127)/255 = 21 -> 1<<5 | 21 = 0x0035. (5, 3) = (0x03, 0x05, 0xAB): r (93+127)/255 = 0,
        // same g and b -> 0x0035. Little-endian: 35 00 35 00.
        Assert.Equal([0x35, 0x00, 0x35, 0x00], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Encode_EmptyView_WritesNothing()
    {
        uint[] buffer = MakeBuffer();
        var output = new RecordingWriter();
        RawEncoder.Encode(new PixelView(buffer, 8, 6, 4).Slice(6, 0, 0, 4), new PixelTranslator(PixelFormat.Canonical), output);
        Assert.Empty(output.Written);
        Assert.Empty(output.Requests);
    }

    /// <summary>Hands out oversized spans and records what was asked for and written.</summary>
    private sealed class RecordingWriter : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _buffer = [];

        public List<int> Requests { get; } = [];

        public byte[] Written => [.. _written];

        public void Advance(int count)
        {
            _written.AddRange(_buffer.AsSpan(0, count));
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Requests.Add(sizeHint);
            _buffer = new byte[sizeHint + 100];
            _buffer.AsSpan().Fill(0xEE);
            return _buffer;
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
