using System.Buffers.Binary;
using Rfb.Recording;

namespace Rfb.Tests.Recording;

public sealed class CommittedTraceTests
{
    [Theory]
    [InlineData(TracePaths.XtermFirst30, 30)]
    [InlineData(TracePaths.PacedFirst40, 40)]
    public void ReadEvents_CommittedTrace_FinalFrameMatchesIndependentDecoder(string name, int updates)
    {
        string path = TracePaths.TestData(name);
        IndependentTraceDecoder reference = IndependentTraceDecoder.Decode(path);

        using var reader = new FbsReader(path);
        Assert.True(reader.IsCompressed);
        TraceFramebuffer? framebuffer = null;
        int updateCount = 0;
        int copies = 0;
        int raws = 0;
        uint lastTimestamp = 0;
        foreach (TraceEvent e in RecordedSessionDecoder.ReadEvents(reader))
        {
            if (e is TraceServerInit init)
            {
                Assert.Null(framebuffer);
                Assert.Equal((1280, 720, "root@vm"), (init.Width, init.Height, init.Name)); // MANIFEST.md of the shared traces
                framebuffer = new TraceFramebuffer(init.Width, init.Height);
                continue;
            }

            var update = (TraceUpdate)e;
            Assert.True(update.TimestampMs >= lastTimestamp, "Update timestamps go backwards.");
            lastTimestamp = update.TimestampMs;
            foreach (TraceOperation operation in update.Operations)
            {
                copies += operation.Kind == TraceOperationKind.Copy ? 1 : 0;
                raws += operation.Kind == TraceOperationKind.Raw ? 1 : 0;
            }

            framebuffer!.Apply(update);
            updateCount++;
        }

        Assert.Equal(updates, updateCount);
        Assert.Equal(reference.Updates, updateCount);
        Assert.Equal(reference.CopyRects, copies);
        Assert.Equal(reference.RawRects, raws);
        Assert.Equal((reference.Width, reference.Height), (framebuffer!.Width, framebuffer.Height));
        AssertFramesEqual(reference.Frame, framebuffer.Pixels, mask: 0xFFFF_FFFF);
    }

    [Fact]
    public void ReadEvents_PacedTrace_HasCopyRects()
    {
        // The point of the second committed trace: CopyRect scrolling (MANIFEST.md: "scrolling
        // arrives as CopyRect plus thin strips of new lines").
        IndependentTraceDecoder reference = IndependentTraceDecoder.Decode(TracePaths.TestData(TracePaths.PacedFirst40));
        Assert.True(reference.CopyRects > 100, $"Only {reference.CopyRects} CopyRect rectangles.");
    }

    /// <summary>Compares a frame of words with a frame of XRGB8888 bytes, reporting the first difference.</summary>
    internal static void AssertFramesEqual(ReadOnlySpan<uint> expected, ReadOnlySpan<byte> actual, uint mask)
    {
        Assert.Equal(expected.Length * 4, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            uint a = BinaryPrimitives.ReadUInt32LittleEndian(actual[(i * 4)..]);
            if ((a & mask) != (expected[i] & mask))
            {
                Assert.Fail($"Pixel {i} differs: expected 0x{expected[i] & mask:x8}, got 0x{a & mask:x8}.");
            }
        }
    }
}
