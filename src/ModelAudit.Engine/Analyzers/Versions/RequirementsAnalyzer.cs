using System.Text.RegularExpressions;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Versions;

/// <summary>
/// Environment files shipped with a model (requirements*.txt, MLflow's conda.yaml and python_env.yaml, conda
/// environment files): exact pins (==, ===, conda's =) of frameworks with known loading-path CVEs.
/// </summary>
internal sealed partial class RequirementsAnalyzer : IContentAnalyzer
{
    public string Name => "Versions";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        if (fragment.Kind != ContentKind.FileText || !IsEnvironmentFile(Path.GetFileName(fragment.KeyPath)))
        {
            return;
        }

        for (Match m = Pin().Match(fragment.Text); m.Success; m = m.NextMatch())
        {
            if (!fragment.Owns(m.Index))
            {
                continue;
            }

            long? offset = fragment.Offset is { } start ? start + m.Index : null;
            VersionCheck.Pinned(context, m.Groups["package"].Value, m.Groups["version"].Value, $"'{fragment.KeyPath}'", offset);
        }
    }

    private static bool IsEnvironmentFile(string name) =>
        (name.StartsWith("requirements", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        || name.Equals("conda.yaml", StringComparison.OrdinalIgnoreCase) || name.Equals("python_env.yaml", StringComparison.OrdinalIgnoreCase)
        || name.Equals("environment.yml", StringComparison.OrdinalIgnoreCase) || name.Equals("environment.yaml", StringComparison.OrdinalIgnoreCase);

    // "torch==1.13.0", "  - torch==1.13.0" (conda pip list), "- pytorch=1.13.0" (conda), extras and markers allowed.
    [GeneratedRegex(@"^[ \t]*(?:-[ \t]*)?(?<package>[A-Za-z0-9][A-Za-z0-9_.-]*)(?:\[[^\]\r\n]*\])?[ \t]*={1,3}[ \t]*(?<version>\d+(?:\.\d+){0,2})",
        RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex Pin();
}
