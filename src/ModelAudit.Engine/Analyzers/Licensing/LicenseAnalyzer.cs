using ModelAudit.Engine.Analyzers.Configuration;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Licensing;

/// <summary>
/// Records the licence a file declares on its result (for the CycloneDX licences of the SBOM): a model card's
/// front-matter <c>license:</c>, a metadata value named license (GGUF general.license, SafeTensors __metadata__),
/// or a recognised LICENSE/COPYING text. Reports nothing.
/// </summary>
internal sealed class LicenseAnalyzer : IContentAnalyzer
{
    // Declared values longer than this are prose, not a licence name.
    private const int MaxNameLength = 100;

    public string Name => "License";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        if (context.File.License is not null)
        {
            return;
        }

        if (fragment.Kind == ContentKind.Metadata)
        {
            string key = fragment.KeyPath[(fragment.KeyPath.LastIndexOf('.') + 1)..];
            if (key.Equals("license", StringComparison.OrdinalIgnoreCase) && IsName(fragment.Text))
            {
                context.RecordLicense(LicenseNames.From(fragment.Text, $"metadata '{fragment.KeyPath}'"));
            }

            return;
        }

        if (fragment.Kind != ContentKind.FileText || fragment.Offset is not (null or 0))
        {
            return;
        }

        string name = FragmentText.FileName(fragment);
        if (name.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && FrontMatter(fragment.Text) is { } frontMatter)
        {
            YamlWalk walk = YamlWalk.Of(frontMatter);
            string? declared = walk.Get("license") ?? walk.Get("license.[0]");
            if (declared is not null && IsName(declared))
            {
                string? custom = walk.Get("license_name");
                context.RecordLicense(declared is "other" && custom is not null && IsName(custom)
                    ? LicenseNames.From(custom, $"'{fragment.KeyPath}' front matter (license_name)")
                    : LicenseNames.From(declared, $"'{fragment.KeyPath}' front matter"));
            }
        }
        else if ((name.StartsWith("LICENSE", StringComparison.OrdinalIgnoreCase) || name.StartsWith("LICENCE", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("COPYING", StringComparison.OrdinalIgnoreCase)) && LicenseTextRecognizer.Recognize(fragment.Text) is { } spdx)
        {
            context.RecordLicense(new ModelLicense(spdx, spdx, $"'{fragment.KeyPath}' text"));
        }
    }

    private static bool IsName(string value) => value.Trim().Length is > 0 and <= MaxNameLength;

    // Model cards open with "---", YAML, "---".
    private static string? FrontMatter(string text)
    {
        string t = text.TrimStart('\uFEFF');
        if (!t.StartsWith("---", StringComparison.Ordinal))
        {
            return null;
        }

        int firstLineEnd = t.IndexOf('\n');
        int end = firstLineEnd < 0 ? -1 : t.IndexOf("\n---", firstLineEnd, StringComparison.Ordinal);
        return end < 0 ? null : t[(firstLineEnd + 1)..end];
    }
}
