using Rfb.Encodings;
using Rfb.Encodings.Zlib;

namespace Rfb.Tests.Encodings.Zlib;

/// <summary>
/// One stream's data compressed in segments at once: what the client inflates, unit by unit on
/// one continuing standard inflater, is exactly the data, whatever the number of segments, and
/// the segments after the first refer back to the data before them.
/// </summary>
public sealed class DeflateSegmentsTests
{
    /// <summary>Units of text-like, repeating and noisy data, some split into several chunks.</summary>
    private static List<(byte[] Data, bool EndsUnit)> Chunks(int seed, int units)
    {
        var random = new Random(seed);
        var chunks = new List<(byte[], bool)>();
        for (int u = 0; u < units; u++)
        {
            int parts = 1 + random.Next(3);
            for (int p = 0; p < parts; p++)
            {
                var data = new byte[random.Next(1, 40_000)];
                switch (random.Next(3))
                {
                    case 0:
                        random.NextBytes(data);
                        break;
                    case 1:
                        for (int i = 0; i < data.Length; i++)
                        {
                            data[i] = (byte)"The quick brown fox jumps over the lazy dog. "[(i + seed) % 45];
                        }

                        break;
                    default:
                        for (int i = 0; i < data.Length; i++)
                        {
                            data[i] = (byte)((i / 7 % 5 * 40) + (random.Next(8) == 0 ? 1 : 0));
                        }

                        break;
                }

                chunks.Add((data, p == parts - 1));
            }
        }

        return chunks;
    }

    /// <summary>Compresses <paramref name="calls"/> on one stream with <paramref name="segments"/> segments; returns each unit's bytes and the segment counts.</summary>
    private static (List<byte[]> Units, List<int> SegmentCounts) Compress(List<List<(byte[] Data, bool EndsUnit)>> calls, int segments, int level = 4)
    {
        var units = new List<byte[]>();
        var counts = new List<int>();
        var deflater = new ZlibDeflater();
        deflater.Start(level);
        var pipeline = new OrderedPipeline();
        var plan = new DeflateSegments();
        try
        {
            foreach (List<(byte[] Data, bool EndsUnit)> call in calls)
            {
                plan.Clear();
                foreach ((byte[] data, bool endsUnit) in call)
                {
                    plan.Add(data, endsUnit);
                }

                deflater.Compress(plan, segments, pipeline);
                counts.Add(plan.SegmentCount);
                for (int u = 0; u < plan.UnitCount; u++)
                {
                    var output = new System.Buffers.ArrayBufferWriter<byte>();
                    plan.CopyUnit(u, output);
                    Assert.Equal(plan.UnitLength(u), output.WrittenCount);
                    units.Add(output.WrittenSpan.ToArray());
                }

                plan.Release();
            }
        }
        finally
        {
            deflater.Dispose();
        }

        return (units, counts);
    }

    /// <summary>Inflates unit after unit on one inflater, each from its own bytes only, and checks it against the data.</summary>
    private static void AssertInflatesToData(List<List<(byte[] Data, bool EndsUnit)>> calls, List<byte[]> units)
    {
        using var inflater = new ZlibTestInflater();
        int unit = 0;
        var expected = new List<byte>();
        foreach ((byte[] data, bool endsUnit) in calls.SelectMany(c => c))
        {
            expected.AddRange(data);
            if (endsUnit)
            {
                inflater.Append(units[unit++]);
                Assert.Equal(expected.ToArray(), inflater.Read(expected.Count));
                expected.Clear();
            }
        }

        Assert.Equal(units.Count, unit);
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 4)]
    [InlineData(3, 1)]
    [InlineData(4, 7)]
    [InlineData(8, 9)]
    public void Compress_AnySegments_InflatesUnitByUnitToTheData(int segments, int level)
    {
        // Three calls on one stream: the stream goes on after a call cut into segments.
        List<List<(byte[], bool)>> calls = [Chunks(1, 30), Chunks(2, 3), Chunks(3, 40)];
        (List<byte[]> units, List<int> counts) = Compress(calls, segments, level);

        AssertInflatesToData(calls, units);
        long[] sizes = calls.Select(c => (long)c.Sum(x => x.Item1.Length)).ToArray();
        for (int i = 0; i < calls.Count; i++)
        {
            // As many segments as asked for, as long as each has the least size.
            Assert.Equal((int)Math.Max(1, Math.Min(segments, sizes[i] / DeflateSegments.MinSegmentBytes)), counts[i]);
        }

        Assert.Equal(segments, counts[0]); // the first call is large enough for every count tested
    }

    [Fact]
    public void Compress_SameDataAndSegments_SameBytes()
    {
        List<List<(byte[], bool)>> calls = [Chunks(5, 25), Chunks(6, 25)];
        (List<byte[]> first, _) = Compress(calls, 3);
        (List<byte[]> second, _) = Compress(calls, 3);
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i], second[i]);
        }
    }

    [Fact]
    public void Compress_LaterSegments_ReferBackToTheDataBeforeThem()
    {
        // One 2 KiB block of noise repeated: once it has been seen, every repeat is a match.
        var block = new byte[2048];
        new Random(9).NextBytes(block);
        var data = new byte[512 * 1024];
        for (int i = 0; i < data.Length; i += block.Length)
        {
            block.CopyTo(data, i);
        }

        List<List<(byte[], bool)>> calls = [[(data, true)]];
        (List<byte[]> one, List<int> oneCount) = Compress(calls, 1);
        (List<byte[]> four, List<int> fourCount) = Compress(calls, 4);
        Assert.Equal(1, oneCount[0]);
        Assert.Equal(4, fourCount[0]);
        AssertInflatesToData(calls, four);

        // Without the data before them, each of the three later segments would send the block's
        // 2 KiB of noise again.
        Assert.True(four[0].Length < one[0].Length + 1024, $"{four[0].Length} bytes in four segments against {one[0].Length} in one");
    }

    [Fact]
    public void Plan_LastChunkDoesNotEndAUnit_Throws()
    {
        var plan = new DeflateSegments();
        plan.Add(new byte[10], endsUnit: false);
        using var deflater = Deflater.CreateZlib(4);
        Assert.Throws<InvalidOperationException>(() => plan.Plan(deflater, 2));
    }

    [Fact]
    public void Add_EmptyChunk_Throws()
    {
        var plan = new DeflateSegments();
        Assert.Throws<ArgumentException>(() => plan.Add(ReadOnlyMemory<byte>.Empty, endsUnit: true));
    }

    [Fact]
    public void Plan_Weights_CutAtEqualCostAndStillInflateToTheData()
    {
        // Two units of 256 KiB, the second weighed three times the first: half the cost (2 of 4
        // parts) is reached a third of the way into the second unit.
        var random = new Random(12);
        var cheap = new byte[256 * 1024];
        var dear = new byte[256 * 1024];
        random.NextBytes(cheap);
        random.NextBytes(dear);
        var plan = new DeflateSegments();
        plan.Add(cheap, endsUnit: true, weight: 1);
        plan.Add(dear, endsUnit: true, weight: 3);
        using var deflater = Deflater.CreateZlib(4);
        Assert.Equal(2, plan.Plan(deflater, 2));
        Assert.Equal(cheap.Length + (dear.Length / 3), plan.SegmentLength(0));
        Assert.Equal(dear.Length - (dear.Length / 3), plan.SegmentLength(1));
        Assert.InRange(plan.SegmentCost(0), (plan.TotalCost / 2) - 3, plan.TotalCost / 2); // cut on a whole byte
        Assert.Equal(plan.TotalCost, plan.SegmentCost(0) + plan.SegmentCost(1), 0);

        plan.Run(1);
        plan.Run(0);
        plan.Finish();
        var units = new List<byte[]>();
        for (int u = 0; u < plan.UnitCount; u++)
        {
            var output = new System.Buffers.ArrayBufferWriter<byte>();
            plan.CopyUnit(u, output);
            units.Add(output.WrittenSpan.ToArray());
        }

        AssertInflatesToData([[(cheap, true), (dear, true)]], units);
    }

    [Fact]
    public void Plan_OneChunkFarCostlier_StillGivesEverySegmentHalfTheLeastSize()
    {
        // Nearly all the cost in the first 64 KiB: equal cost would leave later segments almost
        // no data, so each keeps half of MinSegmentBytes at least.
        var plan = new DeflateSegments();
        plan.Add(new byte[64 * 1024], endsUnit: true, weight: 1000);
        plan.Add(new byte[192 * 1024], endsUnit: true, weight: 1);
        using var deflater = Deflater.CreateZlib(4);
        Assert.Equal(4, plan.Plan(deflater, 4));
        long least = DeflateSegments.MinSegmentBytes / 2;
        long total = 0;
        for (int j = 0; j < 4; j++)
        {
            Assert.True(plan.SegmentLength(j) >= least, $"segment {j}: {plan.SegmentLength(j)} bytes");
            total += plan.SegmentLength(j);
        }

        Assert.Equal(256 * 1024, total);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Add_WeightNotPositiveAndFinite_Throws(double weight)
    {
        var plan = new DeflateSegments();
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.Add(new byte[10], endsUnit: true, weight));
    }
}
