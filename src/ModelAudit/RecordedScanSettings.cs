using System.Globalization;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Commands;

/// <summary>
/// The options and policy of a scan as its results record them (<see cref="ModelScanResult.Settings"/>) and its
/// JSON report shows them: enough to tell later how a result was obtained — which policy, by its hash, judged it, what
/// was filtered out and which limits applied. Names follow the cmdlet's parameters and the policy's keys.
/// </summary>
internal static class RecordedScanSettings
{
    public static SortedDictionary<string, string> From(ScanSettings settings, ScanOptions options)
    {
        var recorded = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Recurse"] = settings.Recurse.ToString(),
            ["MinimumSeverity"] = settings.MinimumSeverity.ToString(),
            ["MaxFileSize"] = options.MaxFileSize is { } max ? max.ToString(CultureInfo.InvariantCulture) : "none",
            ["TimeoutSec"] = settings.TimeoutSec > 0 ? settings.TimeoutSec.ToString(CultureInfo.InvariantCulture) : "none",
            ["SkipHash"] = settings.SkipHash.ToString(),
            ["AnalyzeWeights"] = options.AnalyzeWeights switch
            {
                true => "on",
                false => "off",
                null => $"files up to {options.WeightAnalysisMaxFileSize.ToString(CultureInfo.InvariantCulture)} bytes",
            },
        };
        AddList(recorded, "Include", settings.Include);
        AddList(recorded, "Exclude", settings.Exclude);
        if (settings.BaselinePath is { } baseline)
        {
            recorded["Baseline"] = baseline;
        }

        if (settings.Policy is { } policy)
        {
            recorded["Policy"] = policy.Path;
            recorded["Policy.Sha256"] = policy.Sha256;
            AddList(recorded, "Policy.DeniedGlobals", policy.DeniedGlobals.Order(StringComparer.Ordinal));
            AddList(recorded, "Policy.AllowedGlobals", policy.AllowedGlobals.Order(StringComparer.Ordinal));
            AddList(recorded, "Policy.SeverityOverrides", policy.SeverityOverrides.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
            AddList(recorded, "Policy.Limits", policy.Limits.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.ToString(CultureInfo.InvariantCulture)}"));
            int active = policy.Suppressions.Count(s => !s.IsExpired(settings.Now));
            recorded["Policy.Suppressions"] = $"{active} active, {policy.Suppressions.Count - active} expired";
        }

        return recorded;
    }

    private static void AddList(SortedDictionary<string, string> recorded, string name, IEnumerable<string>? values)
    {
        string joined = string.Join(", ", values ?? Enumerable.Empty<string>());
        if (joined.Length > 0)
        {
            recorded[name] = joined;
        }
    }
}
