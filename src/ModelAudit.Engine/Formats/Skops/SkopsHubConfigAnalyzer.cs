using System.Text.Json;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Analyzers.Configuration;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Skops;

/// <summary>
/// The config.json that skops.hub_utils.init writes beside a scikit-learn model on the Hugging Face Hub:
/// <c>{"sklearn": {"model": {"file": "model.skops"}, "model_format": "skops", …}}</c>. skops' Card.get_model (and
/// the hub helpers built on it) loads that file with skops.io only when it is a zip; anything else is handed to
/// joblib.load, which unpickles it (CVE-2025-54886, fixed in skops 0.13). A config that promises a skops file while
/// the file beside it is not a zip is that attack: Warning with the CVE. A config that declares a pickle is reported
/// as Info (the pickle file's own scan decides whether it is dangerous).
/// </summary>
internal sealed class SkopsHubConfigAnalyzer : IContentAnalyzer
{
    // hub_utils configs are a few hundred bytes of nesting depth 3 or 4.
    private const int MaxDepth = 64;

    private static readonly string[] s_cve = { "CVE-2025-54886" };

    public string Name => "Skops";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        if (!FragmentText.IsWholeFile(fragment) || !FragmentText.FileName(fragment).Equals("config.json", StringComparison.OrdinalIgnoreCase)
            || !fragment.Text.Contains("\"sklearn\"", StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(fragment.Text, new JsonDocumentOptions { MaxDepth = MaxDepth });
            Check(document.RootElement, context);
        }
        catch (JsonException)
        {
            // Not JSON: hub_utils cannot read it either.
        }
    }

    private void Check(JsonElement root, ScanContext context)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("sklearn", out JsonElement sklearn) || sklearn.ValueKind != JsonValueKind.Object
            || !sklearn.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object
            || !model.TryGetProperty("file", out JsonElement fileElement) || fileElement.ValueKind != JsonValueKind.String)
        {
            return;
        }

        string file = fileElement.GetString()!;
        string? format = sklearn.TryGetProperty("model_format", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        bool promisesSkops = file.EndsWith(".skops", StringComparison.OrdinalIgnoreCase) || string.Equals(format, "skops", StringComparison.OrdinalIgnoreCase);
        if (!promisesSkops)
        {
            context.Report(RuleIds.SkopsJoblibModel,
                $"config.json has skops load '{file}' ({format ?? "no model_format"}) with joblib.load, which unpickles it.", null, file, null, Name);
            return;
        }

        if (SiblingIsNotZip(context, file))
        {
            context.Report(RuleIds.SkopsJoblibFallback,
                $"config.json promises the skops file '{file}', but that file is not a zip: skops' Card.get_model falls back to joblib.load and unpickles it.",
                null, file, s_cve, Name);
        }
    }

    // Only a config on the local disk has its model beside it; a name that climbs out of the folder is not followed.
    private static bool SiblingIsNotZip(ScanContext context, string file)
    {
        if (context.Depth != 0 || !Path.IsPathFullyQualified(context.Path) || file.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(file))
        {
            return false;
        }

        string path = Path.Combine(Path.GetDirectoryName(context.Path)!, file);
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("PK\u0003\u0004"u8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
