using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers;

/// <summary>
/// A cross-format analyzer: scanners hand it text they extracted (SafeTensors metadata, pickle strings, JSON
/// values, chat templates…), so one analyzer covers every format instead of one scanner per file.
/// </summary>
internal interface IContentAnalyzer
{
    /// <summary>Name shown in findings.</summary>
    string Name { get; }

    /// <summary>Analyzes one text fragment. <paramref name="source"/> says where it came from (e.g. a metadata key).</summary>
    void AnalyzeText(string text, string source, long? offset, ScanContext context);
}
