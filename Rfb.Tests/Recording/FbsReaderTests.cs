using Rfb.Recording;

namespace Rfb.Tests.Recording;

public sealed class FbsReaderTests
{
    // Typed by hand from the FBS 001.000 layout (header; then per block: BE u32 length, bytes,
    // zero padding to a multiple of 4, BE u32 milliseconds).
    private static readonly byte[] s_golden =
    [
        0x46, 0x42, 0x53, 0x20, 0x30, 0x30, 0x31, 0x2E, 0x30, 0x30, 0x30, 0x0A, // "FBS 001.000\n"
        0x00, 0x00, 0x00, 0x05, 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x00, 0x00, 0x00, // 5: "hello", 3 padding
        0x00, 0x00, 0x00, 0x10,                                                 // 16 ms
        0x00, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,                         // 4 bytes, no padding
        0x00, 0x00, 0x01, 0x00,                                                 // 256 ms
        0x00, 0x00, 0x00, 0x00,                                                 // empty block
        0xFF, 0xFF, 0xFF, 0xFF,                                                 // 4294967295 ms
        0x00, 0x00, 0x00, 0x07, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x11, 0x00, // 7 bytes, 1 padding
        0x00, 0x01, 0x00, 0x00,                                                 // 65536 ms
    ];

    // s_golden compressed by the zstd command-line tool 1.5.4 (`zstd -19 --long=27`); an
    // independent encoder, so this checks detection by magic and decompression.
    private static readonly byte[] s_goldenZstd =
    [
        0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x40, 0x01, 0x02, 0x00, 0x46, 0x42, 0x53,
        0x20, 0x30, 0x30, 0x31, 0x2e, 0x30, 0x30, 0x30, 0x0a, 0x00, 0x00, 0x00,
        0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x10, 0x00, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
        0x07, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x00, 0x00, 0x01, 0x00,
        0x00, 0x6d, 0x1b, 0x99, 0x10,
    ];

    private static readonly (byte[] Data, uint TimestampMs)[] s_goldenBlocks =
    [
        ("hello"u8.ToArray(), 16),
        ([1, 2, 3, 4], 256),
        ([], uint.MaxValue),
        ([0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x11], 65536),
    ];

    [Fact]
    public void TryReadBlock_PaddedBlocks_ReturnsDataAndTimestamps()
    {
        using var reader = new FbsReader(new MemoryStream(s_golden));
        AssertGoldenBlocks(reader);
        Assert.False(reader.IsCompressed);
    }

    [Fact]
    public void TryReadBlock_OneByteReads_ReturnsSameBlocks()
    {
        using var reader = new FbsReader(new OneByteStream(s_golden));
        AssertGoldenBlocks(reader);
    }

    [Fact]
    public void TryReadBlock_ZstdCompressedByZstdTool_DetectedByMagicAndReturnsSameBlocks()
    {
        using var reader = new FbsReader(new OneByteStream(s_goldenZstd));
        AssertGoldenBlocks(reader);
        Assert.True(reader.IsCompressed);
    }

    [Fact]
    public void TryReadBlock_AfterFbsWriter_ReturnsWrittenBlocks()
    {
        foreach (bool compress in new[] { false, true })
        {
            var file = new MemoryStream();
            using (var writer = new FbsWriter(file, compress, leaveOpen: true))
            {
                foreach ((byte[] data, uint timestamp) in s_goldenBlocks)
                {
                    writer.WriteBlock(data, timestamp);
                }
            }

            if (!compress)
            {
                Assert.Equal(s_golden, file.ToArray());
            }

            file.Position = 0;
            using var reader = new FbsReader(file);
            AssertGoldenBlocks(reader);
            Assert.Equal(compress, reader.IsCompressed);
        }
    }

    [Theory]
    [InlineData("FBS 002.000\n")]
    [InlineData("RFB 003.003\n")]
    [InlineData("FBS 001.000")] // 11 bytes: the file ends inside the header
    [InlineData("")]
    public void Constructor_BadHeader_ThrowsBadHeader(string header)
    {
        byte[] bytes = [.. System.Text.Encoding.ASCII.GetBytes(header), 0, 0, 0, 0, 0, 0, 0, 0];
        if (header.Length < 12)
        {
            bytes = System.Text.Encoding.ASCII.GetBytes(header);
        }

        var e = Assert.Throws<TraceFormatException>(() => new FbsReader(new MemoryStream(bytes)));
        Assert.Equal(TraceFormatError.BadHeader, e.Error);
    }

    [Theory]
    [InlineData(14)] // inside the first length word
    [InlineData(19)] // inside the first block's data
    [InlineData(22)] // inside the first block's padding
    [InlineData(26)] // inside the first block's timestamp
    [InlineData(63)] // inside the last block's timestamp
    public void TryReadBlock_TruncatedFile_ThrowsTruncatedBlock(int length)
    {
        using var reader = new FbsReader(new MemoryStream(s_golden[..length]));
        var e = Assert.Throws<TraceFormatException>(() =>
        {
            while (reader.TryReadBlock(out _, out _))
            {
            }
        });
        Assert.Equal(TraceFormatError.TruncatedBlock, e.Error);
    }

    [Fact]
    public void TryReadBlock_LengthOverLimit_ThrowsBlockTooLong()
    {
        byte[] bytes = [.. s_golden[..12], 0x04, 0x00, 0x00, 0x01, 0, 0, 0, 0]; // 64 MiB + 1
        using var reader = new FbsReader(new MemoryStream(bytes));
        var e = Assert.Throws<TraceFormatException>(() => reader.TryReadBlock(out _, out _));
        Assert.Equal(TraceFormatError.BlockTooLong, e.Error);
    }

    [Fact]
    public void TryReadBlock_LengthAtLimit_PassesLengthCheckThenThrowsTruncatedBlock()
    {
        byte[] bytes = [.. s_golden[..12], 0x04, 0x00, 0x00, 0x00, 0, 0, 0, 0]; // exactly 64 MiB
        using var reader = new FbsReader(new MemoryStream(bytes));
        var e = Assert.Throws<TraceFormatException>(() => reader.TryReadBlock(out _, out _));
        Assert.Equal(TraceFormatError.TruncatedBlock, e.Error);
    }

    private static void AssertGoldenBlocks(FbsReader reader)
    {
        foreach ((byte[] data, uint timestamp) in s_goldenBlocks)
        {
            Assert.True(reader.TryReadBlock(out ReadOnlyMemory<byte> block, out uint ms));
            Assert.Equal(data, block.ToArray());
            Assert.Equal(timestamp, ms);
        }

        Assert.False(reader.TryReadBlock(out _, out _));
        Assert.Equal(s_goldenBlocks.Length, reader.BlocksRead);
    }
}
