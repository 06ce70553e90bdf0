using Rfb.Encodings;

namespace Rfb.Tests.Encodings;

/// <summary>
/// The encoders' ordered pipeline: every item is produced once and consumed in order, whether
/// producing or consuming is the slower side, run after run on one instance, and a producer's
/// failure reaches the calling thread.
/// </summary>
public sealed class OrderedPipelineTests
{
    private static void Spin(int microseconds)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed.TotalMicroseconds < microseconds)
        {
        }
    }

    [Theory]
    [InlineData(200, 0)] // producing slower
    [InlineData(0, 200)] // consuming slower
    [InlineData(50, 50)]
    public void Run_ManyRuns_EveryItemProducedOnceAndConsumedInOrder(int produceMicroseconds, int consumeMicroseconds)
    {
        var pipeline = new OrderedPipeline();
        object[] scratch = [new(), new(), new()];
        for (int run = 0; run < 6; run++)
        {
            int count = 10 + (run * 7);
            var produced = new int[count];
            var consumed = new List<int>();
            pipeline.Run(
                count,
                scratch,
                (i, _) =>
                {
                    Spin(produceMicroseconds);
                    Interlocked.Increment(ref produced[i]);
                },
                i =>
                {
                    Assert.Equal(1, Volatile.Read(ref produced[i]));
                    Spin(consumeMicroseconds);
                    consumed.Add(i);
                });

            Assert.All(produced, p => Assert.Equal(1, p));
            Assert.Equal(Enumerable.Range(0, count), consumed);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    public void Run_ProducerThrows_FailsOnTheCallingThread(int consumeMicroseconds)
    {
        var pipeline = new OrderedPipeline();
        object[] scratch = [new(), new()];

        // A run that succeeds first: the instance is reused after it.
        pipeline.Run(20, scratch, (_, _) => Spin(10), _ => Spin(consumeMicroseconds));
        Exception? error = Record.Exception(() => pipeline.Run(
            20,
            scratch,
            (i, _) =>
            {
                if (i == 7)
                {
                    throw new FormatException("item 7");
                }
            },
            _ => Spin(consumeMicroseconds)));

        // Thrown as it is when the calling thread produced the item, wrapped when a helper did.
        Assert.NotNull(error);
        Assert.True(error is FormatException || error.InnerException is FormatException, error.ToString());
    }
}
