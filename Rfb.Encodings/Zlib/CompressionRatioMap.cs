namespace Rfb.Encodings.Zlib;

/// <summary>
/// How well the data of each part of the screen compressed the last time it was sent, in cells
/// of <see cref="CellSize"/> pixels: the compressed bytes over the uncompressed ones. An encoder
/// that compresses one stream in segments at once (<see cref="DeflateSegments"/>) weighs each
/// piece of data by what its area predicts, so that the segments take about the same time
/// rather than hold the same bytes.
/// </summary>
/// <remarks>
/// <para>
/// Deflate's time follows its output more than its input: on the video trace (Tight lossless,
/// compress level 2, zlib 7, each update's union in two segments), the top half of a frame
/// (mostly flat, compressed to about 4% of its bytes) took 0.9 ms and the bottom half (noisy,
/// 30%) 2.5 ms for the same 330 KB, about 2 ns a byte in and 18 a byte out. So a byte is
/// weighed 1 + <see cref="OutputCost"/> × the ratio predicted for it.
/// </para>
/// <para>
/// Tight records each piece's own ratio. ZRLE's rows of tiles go on one stream and their
/// segments' outputs are joined, so a row records the ratio of the segment that holds the middle
/// of its data; from one call to the next the cut moves towards equal time.
/// </para>
/// <para>
/// The prediction depends only on data sent before, so the bytes stay deterministic for the
/// input, the settings and the number of threads. Areas never sent predict
/// <see cref="UnknownRatio"/>, which weighs every byte alike. The map covers the first
/// <see cref="MaxCells"/> cells of each direction; pieces further out share the last ones. It
/// takes at most 16 KiB.
/// </para>
/// </remarks>
internal sealed class CompressionRatioMap
{
    /// <summary>The side of a cell, in pixels.</summary>
    public const int CellSize = 64;

    /// <summary>Cells in each direction at most.</summary>
    public const int MaxCells = 64;

    /// <summary>The cost of a byte of output against a byte of input.</summary>
    public const double OutputCost = 9;

    /// <summary>The ratio predicted where nothing was sent yet.</summary>
    public const float UnknownRatio = 0.25f;

    private float[] _ratios = [];
    private int _columns;
    private int _rows;

    /// <summary>The weight of each byte of a piece of data for the area at (<paramref name="x"/>, <paramref name="y"/>): 1 + <see cref="OutputCost"/> × its predicted ratio.</summary>
    public double Weight(int x, int y, int width, int height) => 1 + (OutputCost * Predict(x, y, width, height));

    /// <summary>The mean ratio recorded over the cells the area touches (<see cref="UnknownRatio"/> for cells never recorded).</summary>
    public double Predict(int x, int y, int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            return UnknownRatio;
        }

        (int left, int top, int right, int bottom) = Cells(x, y, width, height);
        double sum = 0;
        int count = 0;
        for (int row = top; row <= bottom; row++)
        {
            for (int column = left; column <= right; column++)
            {
                sum += row < _rows && column < _columns ? _ratios[(row * _columns) + column] : UnknownRatio;
                count++;
            }
        }

        return sum / count;
    }

    /// <summary>Records that the area's data compressed from <paramref name="rawBytes"/> to <paramref name="compressedBytes"/>.</summary>
    public void Record(int x, int y, int width, int height, long rawBytes, long compressedBytes)
    {
        if (width <= 0 || height <= 0 || rawBytes <= 0)
        {
            return;
        }

        (int left, int top, int right, int bottom) = Cells(x, y, width, height);
        Grow(right + 1, bottom + 1);
        float ratio = (float)Math.Clamp(compressedBytes / (double)rawBytes, 0, 2);
        for (int row = top; row <= bottom; row++)
        {
            _ratios.AsSpan((row * _columns) + left, right - left + 1).Fill(ratio);
        }
    }

    private static (int Left, int Top, int Right, int Bottom) Cells(int x, int y, int width, int height) =>
        (Math.Min(Math.Max(x, 0) / CellSize, MaxCells - 1),
         Math.Min(Math.Max(y, 0) / CellSize, MaxCells - 1),
         Math.Min(Math.Max(x + width - 1, 0) / CellSize, MaxCells - 1),
         Math.Min(Math.Max(y + height - 1, 0) / CellSize, MaxCells - 1));

    private void Grow(int columns, int rows)
    {
        if (columns <= _columns && rows <= _rows)
        {
            return;
        }

        int newColumns = Math.Max(columns, _columns);
        int newRows = Math.Max(rows, _rows);
        var ratios = new float[newColumns * newRows];
        ratios.AsSpan().Fill(UnknownRatio);
        for (int row = 0; row < _rows; row++)
        {
            _ratios.AsSpan(row * _columns, _columns).CopyTo(ratios.AsSpan(row * newColumns));
        }

        _ratios = ratios;
        _columns = newColumns;
        _rows = newRows;
    }
}
