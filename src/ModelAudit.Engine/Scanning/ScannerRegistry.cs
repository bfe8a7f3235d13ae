using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Data;
using ModelAudit.Engine.Formats.Executable;
using ModelAudit.Engine.Formats.GitLfs;
using ModelAudit.Engine.Formats.NumPy;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.Formats.SafeTensors;
using ModelAudit.Engine.Formats.Text;

namespace ModelAudit.Engine.Scanning;

/// <summary>The formats the engine knows, the scanner for each, and the cross-format analyzers.</summary>
internal sealed class ScannerRegistry
{
    private readonly Dictionary<ModelFormat, IFormatScanner> _byFormat = new();

    private ScannerRegistry(IEnumerable<IFormatScanner> scanners, IEnumerable<IContentAnalyzer> analyzers)
    {
        Scanners = scanners.ToArray();
        Analyzers = analyzers.ToArray();
        foreach (var scanner in Scanners)
        {
            foreach (var format in scanner.Formats)
            {
                _byFormat.Add(format, scanner);
            }
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
            new NumPyScanner(),
            new SafeTensorsScanner(),
            new GitLfsPointerScanner(),
            new TextScanner(),
            new ExecutableScanner(),
            new PassiveDataScanner(),
        },
        new IContentAnalyzer[] { new SecretsAnalyzer() });

    public IReadOnlyList<IFormatScanner> Scanners { get; }

    public IReadOnlyList<IContentAnalyzer> Analyzers { get; }

    public IFormatScanner? ScannerFor(ModelFormat format) => _byFormat.GetValueOrDefault(format);
}
