using System.Globalization;
using System.Numerics;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>
/// The streaming analysis of one tensor: its bytes arrive in order (from the hashing pass or a pass of its own), are
/// decoded, and feed the moments of every value and, for a matrix of neurons, each neuron's squared L2 norm, a
/// bounded sample of neuron rows for cosine similarity, and the largest weights. Memory is bounded by the caps
/// below, whatever the tensor's size.
/// </summary>
internal sealed class TensorAnalysis : IWeightSink
{
    /// <summary>Neuron rows sampled for cosine similarity: 256 rows give 32 K pairs, enough to see a neuron unlike
    /// the rest while the pairwise work stays under a tenth of a second.</summary>
    private const int MaxSampledNeurons = 256;

    /// <summary>Floats kept for the sample (4 MiB); wider rows mean fewer sampled neurons.</summary>
    private const long MaxSampledElements = 1 << 20;

    /// <summary>Fewest sampled neurons for a similarity judgement; wider layers are not compared.</summary>
    private const int MinSampledNeurons = 16;

    /// <summary>Largest weights kept with their neuron: enough to tell a few planted weights (all in one or two
    /// neurons) from a heavy tail spread over the layer.</summary>
    private const int ExtremeSlots = 64;

    private readonly NeuronLayout? _layout;
    private readonly long _sampleStride;
    private readonly int _sampledNeurons;
    private readonly float[] _extremeValues = new float[ExtremeSlots];
    private readonly long[] _extremeIndices = new long[ExtremeSlots];

    // Allocated when the first bytes arrive, so the many tensors waiting for their turn hold nothing.
    private WeightDecoder? _decoder;
    private double[]? _rowSquares;
    private float[]? _sample;
    private int _extremeCount;
    private float _extremeFloor;
    private long _index;

    public TensorAnalysis(ScanContext context, TensorRegion region, long start, WeightEncoding encoding, long elements, NeuronLayout? layout)
    {
        Context = context;
        Region = region;
        Start = start;
        Encoding = encoding;
        Elements = elements;
        _layout = layout;
        if (layout is { } l)
        {
            int sampled = (int)Math.Min(Math.Min(MaxSampledNeurons, l.Neurons), MaxSampledElements / l.Inputs);
            if (sampled >= MinSampledNeurons)
            {
                _sampleStride = (l.Neurons + sampled - 1) / sampled;
                _sampledNeurons = (int)((l.Neurons + _sampleStride - 1) / _sampleStride);
            }
        }
    }

    public ScanContext Context { get; }

    public TensorRegion Region { get; }

    /// <summary>Offset of the first byte in the top-level file.</summary>
    public long Start { get; }

    public long End => Start + Region.Length;

    public WeightEncoding Encoding { get; }

    public long Elements { get; }

    /// <summary>Bytes received so far.</summary>
    public long Fed { get; private set; }

    public bool IsComplete => Fed >= Region.Length;

    public bool IsMatrix => _layout is not null;

    public TensorMoments Moments { get; } = new();

    /// <summary>Feeds the next bytes of the tensor, in order.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        long room = Region.Length - Fed;
        if (bytes.Length > room)
        {
            bytes = bytes[..(int)room];
        }

        if (_decoder is null)
        {
            _decoder = new WeightDecoder(Encoding);
            if (_layout is { } layout)
            {
                _rowSquares = new double[layout.Neurons];
                _sample = _sampledNeurons > 0 ? new float[_sampledNeurons * layout.Inputs] : null;
            }
        }

        Fed += bytes.Length;
        _decoder.Decode(bytes, this);
    }

    public void Accept(ReadOnlySpan<float> values)
    {
        if (_index >= Elements)
        {
            return;
        }

        if (values.Length > Elements - _index)
        {
            values = values[..(int)(Elements - _index)];
        }

        bool finite = Moments.Add(values, _index);
        if (_layout is { } layout)
        {
            AddNeurons(values, layout, finite);
        }

        _index += values.Length;
    }

    private void AddNeurons(ReadOnlySpan<float> values, NeuronLayout layout, bool finite)
    {
        if (layout.NeuronsAreColumns)
        {
            AddColumnNeurons(values, layout);
            return;
        }

        long index = _index;
        int at = 0;
        while (at < values.Length)
        {
            long row = index / layout.Inputs;
            long column = index % layout.Inputs;
            int length = (int)Math.Min(values.Length - at, layout.Inputs - column);
            ReadOnlySpan<float> segment = values.Slice(at, length);
            double squares = 0;
            if (finite && SquaresAndLargest(segment, out float largest) is { } sum)
            {
                squares = sum;
                if (largest > _extremeFloor || _extremeCount < ExtremeSlots)
                {
                    for (int i = 0; i < segment.Length; i++)
                    {
                        float magnitude = Math.Abs(segment[i]);
                        if (magnitude > _extremeFloor || _extremeCount < ExtremeSlots)
                        {
                            KeepExtreme(magnitude, row);
                        }
                    }
                }
            }
            else
            {
                squares = SquaresEach(segment, row);
            }

            _rowSquares![row] += squares;
            if (_sample is not null && row % _sampleStride == 0)
            {
                segment.CopyTo(_sample.AsSpan((int)(row / _sampleStride * layout.Inputs + column)));
            }

            at += length;
            index += length;
        }
    }

    // [inputs, neurons] in row-major order: consecutive values belong to consecutive neurons. Element by element, as
    // SquaresEach does for rows with a non-finite value; dense kernels of this layout are small beside LLM heads.
    private void AddColumnNeurons(ReadOnlySpan<float> values, NeuronLayout layout)
    {
        long index = _index;
        for (int i = 0; i < values.Length; i++, index++)
        {
            long input = index / layout.Neurons;
            long neuron = index % layout.Neurons;
            float v = values[i];
            if (_sample is not null && neuron % _sampleStride == 0)
            {
                _sample[(neuron / _sampleStride * layout.Inputs) + input] = v;
            }

            if (!float.IsFinite(v))
            {
                continue;
            }

            _rowSquares![neuron] += (double)v * v;
            float magnitude = Math.Abs(v);
            if (magnitude > _extremeFloor || _extremeCount < ExtremeSlots)
            {
                KeepExtreme(magnitude, neuron);
            }
        }
    }

    // Sum of squares and largest magnitude of finite values, vectorised; null for a segment too short to vectorise.
    private static double? SquaresAndLargest(ReadOnlySpan<float> segment, out float largest)
    {
        int width = Vector<float>.Count;
        largest = 0;
        if (!Vector.IsHardwareAccelerated || segment.Length < width)
        {
            return null;
        }

        Vector<double> squares = Vector<double>.Zero;
        Vector<float> top = Vector<float>.Zero;
        int i = 0;
        for (; i <= segment.Length - width; i += width)
        {
            var v = new Vector<float>(segment[i..]);
            top = Vector.Max(top, Vector.Abs(v));
            Vector.Widen(v, out Vector<double> low, out Vector<double> high);
            squares += (low * low) + (high * high);
        }

        double sum = Vector.Sum(squares);
        for (int lane = 0; lane < width; lane++)
        {
            largest = Math.Max(largest, top[lane]);
        }

        for (; i < segment.Length; i++)
        {
            sum += (double)segment[i] * segment[i];
            largest = Math.Max(largest, Math.Abs(segment[i]));
        }

        return sum;
    }

    private double SquaresEach(ReadOnlySpan<float> segment, long row)
    {
        double squares = 0;
        for (int i = 0; i < segment.Length; i++)
        {
            float v = segment[i];
            if (!float.IsFinite(v))
            {
                continue;
            }

            squares += (double)v * v;
            float magnitude = Math.Abs(v);
            if (magnitude > _extremeFloor || _extremeCount < ExtremeSlots)
            {
                KeepExtreme(magnitude, row);
            }
        }

        return squares;
    }

    // Keeps the largest magnitudes in a small unordered array; the floor is the smallest kept once it is full.
    private void KeepExtreme(float magnitude, long row)
    {
        if (_extremeCount < ExtremeSlots)
        {
            _extremeValues[_extremeCount] = magnitude;
            _extremeIndices[_extremeCount] = row;
            _extremeCount++;
            if (_extremeCount == ExtremeSlots)
            {
                _extremeFloor = _extremeValues.Min();
            }

            return;
        }

        int smallest = Array.IndexOf(_extremeValues, _extremeFloor);
        _extremeValues[smallest] = magnitude;
        _extremeIndices[smallest] = row;
        _extremeFloor = _extremeValues.Min();
    }

    /// <summary>NaN or infinities: a Warning whatever the layer (see <see cref="RuleIds.WeightNonFinite"/>).</summary>
    public WeightFinding? NonFiniteFinding()
    {
        TensorMoments m = Moments;
        if (m.NonFinite == 0)
        {
            return null;
        }

        long elementsPerUnit = WeightEncodings.UnitElements(Encoding);
        long offset = Region.Offset + (m.FirstNonFinite / elementsPerUnit * WeightEncodings.UnitBytes(Encoding));
        return new WeightFinding(RuleIds.WeightNonFinite,
            $"Tensor '{Region.Name}' ({Describe()}) holds {m.NaNs:N0} NaN, {m.PositiveInfinities:N0} +Inf and {m.NegativeInfinities:N0} -Inf values among {Elements:N0}; the first is element {m.FirstNonFinite:N0}.",
            offset, Region.Name);
    }

    /// <summary>Neurons whose L2 norm is far above the others', and single weights far outside the layer's
    /// distribution when they sit in a few neurons.</summary>
    public List<WeightFinding> NeuronFindings()
    {
        var findings = new List<WeightFinding>();
        if (_layout is not { } layout || !IsComplete || _index < Elements)
        {
            return findings;
        }

        double[] norms = _rowSquares!.Select(Math.Sqrt).ToArray();
        double[] z = RobustStatistics.ZScores(norms, out double median, out double mad);
        double threshold = WeightThresholds.NeuronNormZ(layout.Neurons);
        // A z-score alone is not enough where the MAD is tiny (weight-normalised layers have equal norms): the norm
        // must also be well above the typical one.
        int[] outliers = Enumerable.Range(0, norms.Length).Where(i => z[i] > threshold && norms[i] > 1.5 * median).ToArray();
        if (outliers.Length > 0 && outliers.Length <= WeightThresholds.MaxReportedNeurons(layout.Neurons))
        {
            string list = string.Join(", ", outliers.Take(5).Select(i => string.Create(CultureInfo.InvariantCulture, $"#{i} (norm {norms[i]:G4}, z {z[i]:0.0})")));
            findings.Add(new WeightFinding(RuleIds.WeightOutlierNeurons,
                $"Tensor '{Region.Name}' ({Describe()}): {outliers.Length} of {layout.Neurons:N0} output neurons have an abnormal L2 norm: {list}; the median norm is {median:G4} (MAD {mad:G4}), the threshold z {threshold:0.0}.",
                Region.Offset, Region.Name));
        }

        WeightFinding? extreme = ExtremeFinding();
        if (extreme is not null)
        {
            findings.Add(extreme);
        }

        return findings;
    }

    private WeightFinding? ExtremeFinding()
    {
        TensorMoments m = Moments;
        double sigma = m.StandardDeviation;
        if (sigma <= 0 || _extremeCount == 0)
        {
            return null;
        }

        double sigmas = WeightThresholds.ExtremeWeightSigmas(m.Count);
        double limit = Math.Abs(m.Mean) + sigmas * sigma;
        var rows = new SortedSet<long>();
        int over = 0;
        float largest = 0;
        for (int i = 0; i < _extremeCount; i++)
        {
            if (_extremeValues[i] > limit)
            {
                over++;
                rows.Add(_extremeIndices[i]);
                largest = Math.Max(largest, _extremeValues[i]);
            }
        }

        if (over == 0 || rows.Count > WeightThresholds.MaxExtremeNeurons)
        {
            return null;
        }

        string count = over == _extremeCount && _extremeCount == ExtremeSlots ? $"at least {over}" : over.ToString(CultureInfo.InvariantCulture);
        return new WeightFinding(RuleIds.WeightExtremeValues,
            string.Create(CultureInfo.InvariantCulture,
                $"Tensor '{Region.Name}' ({Describe()}): {count} weights lie more than {sigmas:0.0} standard deviations from the mean (largest |w| {largest:G4}, mean {m.Mean:G4}, sd {sigma:G4}), all in output neuron(s) {string.Join(", ", rows.Select(r => "#" + r))}."),
            Region.Offset, Region.Name);
    }

    /// <summary>Sampled neurons whose largest |cosine| to every other sampled neuron is far below the rest's: a neuron
    /// that points in its own direction in a layer whose neurons share structure.</summary>
    public List<WeightFinding> DissimilarityFindings()
    {
        var findings = new List<WeightFinding>();
        if (_layout is not { } layout || _sample is null || !IsComplete || _index < Elements)
        {
            return findings;
        }

        int n = _sampledNeurons;
        int width = (int)layout.Inputs;
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            norms[i] = Math.Sqrt(Dot(Row(i, width), Row(i, width)));
        }

        int[] live = Enumerable.Range(0, n).Where(i => norms[i] > 0 && double.IsFinite(norms[i])).ToArray();
        if (live.Length < MinSampledNeurons)
        {
            return findings;
        }

        var best = new double[live.Length];
        for (int a = 0; a < live.Length; a++)
        {
            for (int b = a + 1; b < live.Length; b++)
            {
                double cosine = Math.Abs(Dot(Row(live[a], width), Row(live[b], width)) / (norms[live[a]] * norms[live[b]]));
                best[a] = Math.Max(best[a], cosine);
                best[b] = Math.Max(best[b], cosine);
            }
        }

        double[] z = RobustStatistics.ZScores(best, out double median, out _);
        double threshold = WeightThresholds.DissimilarityZ(live.Length);
        // Low similarity only means something where the others are alike: half the typical similarity at most.
        int[] odd = Enumerable.Range(0, live.Length).Where(i => z[i] < -threshold && best[i] < median / 2).ToArray();
        if (odd.Length > 0 && odd.Length <= WeightThresholds.MaxReportedNeurons(live.Length))
        {
            string list = string.Join(", ", odd.Take(5).Select(i => string.Create(CultureInfo.InvariantCulture, $"#{live[i] * _sampleStride} (max |cos| {best[i]:0.000})")));
            string sampled = live.Length == layout.Neurons ? "all" : $"{live.Length:N0} sampled";
            findings.Add(new WeightFinding(RuleIds.WeightDissimilarNeuron,
                string.Create(CultureInfo.InvariantCulture,
                    $"Tensor '{Region.Name}' ({Describe()}): {odd.Length} output neuron(s) are unlike every other ({sampled} of {layout.Neurons:N0} compared): {list}; the typical neuron's largest |cosine| to another is {median:0.000}."),
                Region.Offset, Region.Name));
        }

        return findings;
    }

    private ReadOnlySpan<float> Row(int sampled, int width) => _sample.AsSpan(sampled * width, width);

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float x = a[i], y = b[i];
            if (float.IsFinite(x) && float.IsFinite(y))
            {
                sum += (double)x * y;
            }
        }

        return sum;
    }

    private string Describe() => $"{Region.DType}[{string.Join(",", Region.Shape)}]";
}
