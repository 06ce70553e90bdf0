using System.Buffers;

namespace Rfb.Encodings.Zlib;

/// <summary>
/// One call's data for one session zlib stream, compressed in several segments at once, so that
/// one stream's compression is not bound to one thread.
/// </summary>
/// <remarks>
/// <para>
/// The data comes as chunks, in the order the client inflates them; a chunk may end a
/// <em>unit</em> (a rectangle, whose compressed bytes go out behind their own length). The
/// data is cut into segments of equal expected cost (of equal size unless the chunks are
/// weighed), anywhere inside a chunk. The first segment goes on
/// the stream's own compressor. Every later one goes on a new raw-deflate compressor that is
/// first given the <see cref="PrimeBytes"/> of data before the segment with that output thrown
/// away, so it can refer back to data the client already has, as the stream's own
/// compressor would. Every segment ends with a sync flush, on a byte boundary, and so does
/// every unit, so the segments' outputs joined in order are one valid deflate stream and the
/// client sees nothing of the cut. The compressor of the last segment has seen the stream's
/// data since its priming, which is all the data it can refer back to, so it carries the stream
/// on (<see cref="Finish"/>).
/// </para>
/// <para>
/// This is pigz's method without zlib's deflateSetDictionary, which .NET does not offer: the
/// window is filled by compressing data instead, which costs the compression of
/// <see cref="PrimeBytes"/> for each extra segment; a new compressor is made for each (reusing
/// one would need its whole 32 KiB window overwritten first). The bytes depend on the data and the number of segments, nothing else, so
/// they are deterministic for a given input and number of segments.
/// </para>
/// <para>Not thread-safe, except that <see cref="Run"/> may run for different segments at once.</para>
/// </remarks>
internal sealed class DeflateSegments
{
    /// <summary>
    /// How much data before a segment its compressor is given first. Measured on the video trace
    /// (ZRLE, compress level 2, each update's union, two segments a call): 8 KiB gave 25.66 MB
    /// against 25.62 MB in one segment, 16 KiB 25.63 and 32 KiB (deflate's whole window) 25.61,
    /// at more CPU (the priming costs as much as compressing the same bytes), none 25.75 MB.
    /// </summary>
    public const int PrimeBytes = 8 * 1024;

    /// <summary>The least data of a segment, so the priming costs at most an eighth more compression.</summary>
    public const int MinSegmentBytes = 64 * 1024;

    private readonly List<ReadOnlyMemory<byte>> _chunks = [];
    private readonly List<long> _starts = [];
    private readonly List<double> _weights = [];
    private double _totalCost;
    private readonly List<int> _unitOf = [];
    private readonly List<bool> _endsUnit = [];
    private readonly List<Segment> _segments = [];
    private readonly List<Part> _parts = [];
    private readonly List<int> _firstPart = [];
    private int _segmentCount;
    private int _units;
    private long _total;
    private Deflater? _continues;

    /// <summary>The bytes of data added since <see cref="Clear"/>.</summary>
    public long TotalBytes => _total;

    /// <summary>The units added since <see cref="Clear"/>.</summary>
    public int UnitCount => _units;

    /// <summary>The segments of the last <see cref="Plan"/>.</summary>
    public int SegmentCount => _segmentCount;

    /// <summary>The bytes of data segment <paramref name="segment"/> compresses.</summary>
    public long SegmentLength(int segment) => _segments[segment].End - _segments[segment].Start;

    /// <summary>Where segment <paramref name="segment"/>'s data starts in the data added.</summary>
    public long SegmentStart(int segment) => _segments[segment].Start;

    /// <summary>The compressed bytes segment <paramref name="segment"/> gave (after it ran, until <see cref="Release"/>; its priming not counted).</summary>
    public long SegmentOutputLength(int segment) => _segments[segment].Deflater?.Sink.Length ?? 0;

    /// <summary>The expected cost of the data added since <see cref="Clear"/>: each chunk's bytes times its weight.</summary>
    public double TotalCost => _totalCost;

    /// <summary>The expected cost of segment <paramref name="segment"/> (see <see cref="Add"/>).</summary>
    public double SegmentCost(int segment) => _segments[segment].Cost;

    /// <summary>Forgets the chunks (the caller owns their memory).</summary>
    public void Clear()
    {
        _chunks.Clear();
        _starts.Clear();
        _weights.Clear();
        _totalCost = 0;
        _unitOf.Clear();
        _endsUnit.Clear();
        _units = 0;
        _total = 0;
        _segmentCount = 0;
        _continues = null;
    }

    /// <summary>
    /// Adds <paramref name="data"/> (not empty; read until <see cref="Release"/>) to the current
    /// unit, and ends the unit if <paramref name="endsUnit"/>. <paramref name="weight"/> is the
    /// expected cost of compressing each of its bytes relative to other chunks' (1 by default):
    /// <see cref="Plan"/> cuts the segments at equal cost, not equal size.
    /// </summary>
    public void Add(ReadOnlyMemory<byte> data, bool endsUnit, double weight = 1)
    {
        if (data.IsEmpty)
        {
            throw new ArgumentException("A chunk must hold data.", nameof(data));
        }

        if (!(weight > 0) || double.IsInfinity(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A chunk's weight must be positive and finite.");
        }

        _starts.Add(_total);
        _chunks.Add(data);
        _weights.Add(weight);
        _totalCost += data.Length * weight;
        _unitOf.Add(_units);
        _endsUnit.Add(endsUnit);
        _total += data.Length;
        if (endsUnit)
        {
            _units++;
        }
    }

    /// <summary>
    /// Cuts the data into at most <paramref name="segments"/> segments of equal cost (the chunks'
    /// bytes times their weights; of equal size when every weight is the same), one for every
    /// <see cref="MinSegmentBytes"/> of data at most (so one when there is little data), none
    /// under half of that; the first continues on <paramref name="stream"/>, whose sink must be
    /// empty. Returns the number of segments.
    /// </summary>
    public int Plan(Deflater stream, int segments)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_units == 0 || !_endsUnit[^1])
        {
            throw new InvalidOperationException("The last chunk must end a unit.");
        }

        if (stream.Sink.Length != 0)
        {
            throw new InvalidOperationException("The stream has output not yet taken.");
        }

        int k = (int)Math.Max(1, Math.Min(Math.Max(1, segments), _total / MinSegmentBytes));
        while (_segments.Count < k)
        {
            _segments.Add(new Segment());
        }

        long least = MinSegmentBytes / 2;
        long start = 0;
        for (int j = 0; j < k; j++)
        {
            Segment segment = _segments[j];
            long end = j == k - 1 ? _total : Math.Clamp(OffsetAtCost(_totalCost * (j + 1) / k), start + least, _total - ((k - 1 - j) * least));
            segment.Start = start;
            segment.End = end;
            segment.Cost = CostBetween(start, end);
            segment.Deflater = j == 0 ? stream : null;
            segment.Cuts.Clear();
            start = end;
        }

        _segmentCount = k;
        _continues = null;
        return k;
    }

    /// <summary>Compresses segment <paramref name="segment"/> (0 ≤ it &lt; <see cref="SegmentCount"/>); segments may run at once on different threads.</summary>
    public void Run(int segment)
    {
        Segment s = _segments[segment];
        Deflater deflater = s.Deflater ??= Deflater.CreateRaw(_segments[0].Deflater!.Level);
        if (segment > 0)
        {
            // Fill the window with the data the client already has before this segment.
            Write(deflater, s.Start - PrimeBytes, s.Start, null);
            deflater.Flush();
            deflater.Sink.Clear();
        }

        Write(deflater, s.Start, s.End, s.Cuts);
    }

    /// <summary>
    /// After every segment ran: works out where each unit's bytes lie and returns the compressor
    /// that continues the stream (the given one when there was one segment).
    /// </summary>
    public Deflater Finish()
    {
        _parts.Clear();
        _firstPart.Clear();
        for (int j = 0; j < _segmentCount; j++)
        {
            int from = 0;
            foreach (Cut cut in _segments[j].Cuts)
            {
                while (_firstPart.Count <= cut.Unit)
                {
                    _firstPart.Add(_parts.Count);
                }

                _parts.Add(new Part(j, from, cut.End));
                from = cut.End;
            }
        }

        if (_firstPart.Count != _units)
        {
            throw new InvalidOperationException("Not every segment ran.");
        }

        _firstPart.Add(_parts.Count);
        _continues = _segments[_segmentCount - 1].Deflater;
        return _continues!;
    }

    /// <summary>The compressed length of unit <paramref name="unit"/> (after <see cref="Finish"/>).</summary>
    public int UnitLength(int unit)
    {
        int length = 0;
        for (int p = _firstPart[unit]; p < _firstPart[unit + 1]; p++)
        {
            length += _parts[p].To - _parts[p].From;
        }

        return length;
    }

    /// <summary>Writes the compressed bytes of unit <paramref name="unit"/> to <paramref name="output"/> (after <see cref="Finish"/>).</summary>
    public void CopyUnit(int unit, IBufferWriter<byte> output)
    {
        for (int p = _firstPart[unit]; p < _firstPart[unit + 1]; p++)
        {
            Part part = _parts[p];
            BufferWriting.WriteInPieces(output, _segments[part.Segment].Deflater!.Sink.Written[part.From..part.To]);
        }
    }

    /// <summary>
    /// Clears the compressed output and disposes every compressor of the plan except the one
    /// <see cref="Finish"/> returned (so the stream's old compressor too, when there were several
    /// segments), then forgets the chunks.
    /// </summary>
    public void Release()
    {
        for (int j = 0; j < _segmentCount; j++)
        {
            Deflater? deflater = _segments[j].Deflater;
            _segments[j].Deflater = null;
            if (deflater is null)
            {
                continue;
            }

            if (ReferenceEquals(deflater, _continues) || (j == 0 && _continues is null))
            {
                deflater.Sink.Clear();
            }
            else if (j > 0 || _continues is not null)
            {
                deflater.Dispose();
            }
        }

        Clear();
    }

    /// <summary>Writes the data in [<paramref name="from"/>, <paramref name="to"/>), flushing (and recording a cut) at each unit's end and at the end.</summary>
    private void Write(Deflater deflater, long from, long to, List<Cut>? cuts)
    {
        long at = from;
        for (int c = FindChunk(from); at < to; c++)
        {
            ReadOnlySpan<byte> chunk = _chunks[c].Span;
            long start = _starts[c];
            int first = (int)(at - start);
            int last = (int)Math.Min(chunk.Length, to - start);
            deflater.Stream.Write(chunk[first..last]);
            at = start + last;
            if (cuts is not null && ((last == chunk.Length && _endsUnit[c]) || at == to))
            {
                deflater.Flush();
                cuts.Add(new Cut(_unitOf[c], checked((int)deflater.Sink.Length)));
            }
        }
    }

    /// <summary>The offset in the data at which the cost from its start reaches <paramref name="cost"/>.</summary>
    private long OffsetAtCost(double cost)
    {
        double before = 0;
        for (int c = 0; c < _chunks.Count; c++)
        {
            double chunkCost = _chunks[c].Length * _weights[c];
            if (before + chunkCost >= cost)
            {
                return _starts[c] + (long)((cost - before) / _weights[c]);
            }

            before += chunkCost;
        }

        return _total;
    }

    /// <summary>The cost of the data in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private double CostBetween(long from, long to)
    {
        double cost = 0;
        for (int c = FindChunk(from); c < _chunks.Count && _starts[c] < to; c++)
        {
            long first = Math.Max(from, _starts[c]);
            long last = Math.Min(to, _starts[c] + _chunks[c].Length);
            cost += (last - first) * _weights[c];
        }

        return cost;
    }

    /// <summary>The chunk holding byte <paramref name="offset"/> of the data.</summary>
    private int FindChunk(long offset)
    {
        int lo = 0, hi = _starts.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_starts[mid] <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private sealed class Segment
    {
        public long Start;
        public long End;
        public double Cost;
        public Deflater? Deflater;
        public readonly List<Cut> Cuts = [];
    }

    /// <summary>A flush in a segment's output: the part of <see cref="Unit"/> ending at <see cref="End"/>.</summary>
    private readonly record struct Cut(int Unit, int End);

    /// <summary>Bytes [<see cref="From"/>, <see cref="To"/>) of a segment's output.</summary>
    private readonly record struct Part(int Segment, int From, int To);
}
