using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Analyzers.Templates;
using ModelAudit.Engine.Analyzers.Configuration;
using ModelAudit.Engine.Analyzers.Licensing;
using ModelAudit.Engine.Analyzers.Network;
using ModelAudit.Engine.Analyzers.PythonCode;
using ModelAudit.Engine.Analyzers.Secrets;
using ModelAudit.Engine.Analyzers.Versions;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.CatBoost;
using ModelAudit.Engine.Formats.Companion;
using ModelAudit.Engine.Formats.CoreML;
using ModelAudit.Engine.Formats.Data;
using ModelAudit.Engine.Formats.Dvc;
using ModelAudit.Engine.Formats.Executable;
using ModelAudit.Engine.Formats.Flax;
using ModelAudit.Engine.Formats.GitLfs;
using ModelAudit.Engine.Formats.Gguf;
using ModelAudit.Engine.Formats.Hdf5;
using ModelAudit.Engine.Formats.Keras;
using ModelAudit.Engine.Formats.LightGbm;
using ModelAudit.Engine.Formats.NumPy;
using ModelAudit.Engine.Formats.OpenVino;
using ModelAudit.Engine.Formats.Joblib;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.Formats.RSerialized;
using ModelAudit.Engine.Formats.Torch7;
using ModelAudit.Engine.Formats.ExecuTorch;
using ModelAudit.Engine.Formats.Onnx;
using ModelAudit.Engine.Formats.Orbax;
using ModelAudit.Engine.Formats.Pmml;
using ModelAudit.Engine.Formats.Paddle;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Formats.SafeTensors;
using ModelAudit.Engine.Formats.Skops;
using ModelAudit.Engine.Formats.TensorFlow;
using ModelAudit.Engine.Formats.TensorFlowCheckpoint;
using ModelAudit.Engine.Formats.TensorRT;
using ModelAudit.Engine.Formats.Text;
using ModelAudit.Engine.Formats.TFLite;
using ModelAudit.Engine.Formats.XGBoost;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// The scanners the engine knows, in registration order, and the cross-format analyzers. Detection asks every
/// scanner for its reading of the bytes; adding a format is adding a scanner here and nothing else.
/// </summary>
internal sealed class ScannerRegistry
{
    private ScannerRegistry(IEnumerable<IFormatScanner> scanners, IEnumerable<IContentAnalyzer> analyzers)
    {
        Scanners = scanners.ToArray();
        Analyzers = analyzers.ToArray();
        Formats = Scanners.SelectMany(s => s.Info.Formats).Distinct().ToArray();
        if (Scanners.Select(s => s.Info.Id).Distinct(StringComparer.Ordinal).Count() != Scanners.Count
            || Formats.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() != Formats.Count)
        {
            throw new InvalidOperationException("Scanner ids and format names must be unique.");
        }
    }

    public static ScannerRegistry Default { get; } = new(
        new IFormatScanner[]
        {
            new PickleScanner(),
            new ZipScanner(),
            new TarScanner(),
            new SevenZipScanner(),
            new CompressedStreamScanner(),
            new JoblibZfileScanner(),
            new NumPyScanner(),
            new SafeTensorsScanner(),
            new GgufScanner(),
            new CompanionDataScanner(new OnnxExternalDataResolver(), new OpenVinoWeightsResolver(), new CheckpointShardResolver(), new OcdbtDataFileResolver()),
            new TensorFlowCheckpointScanner(),
            new TensorFlowScanner(),
            new PaddleScanner(),
            new CoreMLScanner(),
            new AmbiguousProtobufScanner(),
            new OnnxScanner(),
            new TFLiteScanner(),
            new Hdf5Scanner(),
            new KerasScanner(),
            new GitLfsPointerScanner(),
            new DvcPointerScanner(),
            new ExecutableScanner(),
            new XGBoostScanner(),
            new XGBoostBinaryScanner(),
            new LightGbmScanner(),
            new CatBoostScanner(),
            new TensorRtScanner(),
            new PmmlScanner(),
            new FlaxMsgpackScanner(),
            new OrbaxScanner(),
            new OpenVinoScanner(),
            new Torch7Scanner(),
            new ExecuTorchScanner(),
            new RSerializedScanner(),
            new PassiveDataScanner(),
            new TextScanner(),
        },
        new IContentAnalyzer[]
        {
            new SecretsAnalyzer(),
            new ChatTemplateAnalyzer(),
            new NetworkAnalyzer(),
            new HuggingFaceConfigAnalyzer(),
            new YamlTagAnalyzer(),
            new StructuredConfigAnalyzer(),
            new MlflowModelAnalyzer(),
            new RequirementsAnalyzer(),
            new PythonCodeAnalyzer(),
            new LicenseAnalyzer(),
            new SkopsHubConfigAnalyzer(),
        });

    public IReadOnlyList<IFormatScanner> Scanners { get; }

    public IReadOnlyList<IContentAnalyzer> Analyzers { get; }

    /// <summary>Every format some scanner recognises.</summary>
    public IReadOnlyList<ModelFormat> Formats { get; }

    /// <summary>The scanner of type <typeparamref name="T"/>.</summary>
    public T Get<T>() where T : IFormatScanner => Scanners.OfType<T>().Single();

    /// <summary>Every reading some scanner takes of these bytes, in scan order (<see cref="Reading.Order"/>, then
    /// registration order). A sniffer that throws is a bug; its reading is taken as plausible rather than lost.</summary>
    public IReadOnlyList<Reading> Sniff(SniffInput input)
    {
        var readings = new List<(Reading Reading, int Index)>();
        for (int i = 0; i < Scanners.Count; i++)
        {
            Reading? reading;
            try
            {
                reading = Scanners[i].Sniff(input);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                reading = null;
            }

            if (reading is not null)
            {
                readings.Add((reading, i));
            }
        }

        return readings.OrderBy(r => r.Reading.Order).ThenBy(r => r.Index).Select(r => r.Reading).ToArray();
    }
}
