using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Data;

/// <summary>
/// Formats that no model loader executes and that carry nothing to analyse: SentencePiece vocabularies
/// (tokenizer.model) and images or PDFs beside the model. Recognised, so they are neither Unknown nor mistaken
/// for something else; appended payloads are still found by the polyglot check.
/// </summary>
internal sealed class PassiveDataScanner : IFormatScanner
{
    public string Name => "Data";

    public IReadOnlyList<ModelFormat> Formats { get; } = new[] { ModelFormat.SentencePiece, ModelFormat.Media };

    public void Scan(ScanInput input, ScanContext context)
    {
    }
}
