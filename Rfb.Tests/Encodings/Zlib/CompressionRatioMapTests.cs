using Rfb.Encodings.Zlib;

namespace Rfb.Tests.Encodings.Zlib;

public sealed class CompressionRatioMapTests
{
    [Fact]
    public void Predict_NothingRecorded_GivesTheUnknownRatio()
    {
        var map = new CompressionRatioMap();
        Assert.Equal(CompressionRatioMap.UnknownRatio, map.Predict(100, 200, 300, 50), 6);
        Assert.Equal(1 + (CompressionRatioMap.OutputCost * CompressionRatioMap.UnknownRatio), map.Weight(0, 0, 64, 64), 6);
    }

    [Fact]
    public void Predict_AfterRecord_MeanOverTheCellsTheAreaTouches()
    {
        var map = new CompressionRatioMap();

        // The first two cell columns of the first cell row compressed to 10%, the next two to 50%.
        map.Record(0, 0, 128, 64, rawBytes: 1000, compressedBytes: 100);
        map.Record(128, 0, 128, 64, rawBytes: 1000, compressedBytes: 500);

        Assert.Equal(0.1, map.Predict(10, 10, 20, 20), 6);
        Assert.Equal(0.5, map.Predict(130, 0, 100, 64), 6);
        Assert.Equal((0.1 + 0.5) / 2, map.Predict(64, 0, 128, 64), 6);

        // Half of this area's cells were never recorded.
        Assert.Equal((0.1 + 0.1 + (2 * CompressionRatioMap.UnknownRatio)) / 4, map.Predict(0, 0, 128, 128), 6);

        // A later record of the same area replaces the earlier one.
        map.Record(0, 0, 64, 64, rawBytes: 1000, compressedBytes: 300);
        Assert.Equal(0.3, map.Predict(0, 0, 64, 64), 6);
        Assert.Equal(1 + (CompressionRatioMap.OutputCost * 0.3), map.Weight(0, 0, 64, 64), 6);
    }

    [Fact]
    public void Record_FarOutAreas_ShareTheLastCellsAndStayBounded()
    {
        var map = new CompressionRatioMap();
        map.Record(60_000, 60_000, 5_000, 5_000, rawBytes: 100, compressedBytes: 20);
        int edge = (CompressionRatioMap.MaxCells - 1) * CompressionRatioMap.CellSize;
        Assert.Equal(0.2, map.Predict(edge, edge, 1, 1), 6);
        Assert.Equal(0.2, map.Predict(65_000, 65_000, 500, 500), 6);
        Assert.Equal(CompressionRatioMap.UnknownRatio, map.Predict(0, 0, 64, 64), 6);
    }

    [Fact]
    public void Record_EmptyAreaOrNoData_ChangesNothing()
    {
        var map = new CompressionRatioMap();
        map.Record(0, 0, 0, 10, rawBytes: 10, compressedBytes: 1);
        map.Record(0, 0, 10, 10, rawBytes: 0, compressedBytes: 0);
        Assert.Equal(CompressionRatioMap.UnknownRatio, map.Predict(0, 0, 10, 10), 6);
    }
}
