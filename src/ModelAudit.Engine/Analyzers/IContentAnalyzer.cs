using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers;

/// <summary>
/// A cross-format analyzer: scanners hand it the text they extract (SafeTensors metadata, pickle strings, config
/// values, chat templates…) as fragments that say where they came from, so one analyzer covers every format.
/// </summary>
internal interface IContentAnalyzer
{
    /// <summary>Name shown in findings.</summary>
    string Name { get; }

    /// <summary>Analyzes one fragment, reporting through <paramref name="context"/> (the member it came from).</summary>
    void Analyze(ContentFragment fragment, ScanContext context);
}
