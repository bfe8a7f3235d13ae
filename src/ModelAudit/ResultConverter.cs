using System.Collections;
using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// Turns pipeline input into results: a live <see cref="ModelScanResult"/>, or one that crossed a process boundary
/// (Export-Clixml/Import-Clixml, Start-Job, Invoke-Command, ForEach-Object -Parallel) and arrives as a
/// <c>Deserialized.ModelAudit.ModelScanResult</c> property bag, rebuilt here from its properties.
/// </summary>
internal static class ResultConverter
{
    private const string DeserializedResult = "Deserialized.ModelAudit.ModelScanResult";

    /// <summary>The result <paramref name="input"/> holds, or null when it is not a scan result at all.</summary>
    public static ModelScanResult? From(object? input)
    {
        object? value = input is PSObject wrapped ? wrapped.BaseObject : input;
        if (value is ModelScanResult result)
        {
            return result;
        }

        if (input is not PSObject bag || !bag.TypeNames.Contains(DeserializedResult))
        {
            return null;
        }

        return new ModelScanResult(
            Text(bag, "Path") ?? "",
            Text(bag, "Format") ?? "Unknown",
            Convert<long>(bag, "Size"),
            Text(bag, "Sha256"),
            Convert<ScanOutcome>(bag, "Outcome"),
            Items(bag, "Findings").Select(Finding).ToArray(),
            Convert<TimeSpan>(bag, "Duration"),
            Items(bag, "Errors").Select(e => e?.ToString() ?? "").ToArray())
        {
            TensorCount = Convert<long>(bag, "TensorCount"),
            ParameterCount = Value(bag, "ParameterCount") is null ? null : Convert<long>(bag, "ParameterCount"),
            TensorDTypes = Items(bag, "TensorDTypes").Select(e => e?.ToString() ?? "").ToArray(),
            AnalyzedTensorCount = Value(bag, "AnalyzedTensorCount") is null ? 0 : Convert<long>(bag, "AnalyzedTensorCount"),
            License = Value(bag, "License") is { } license ? License(PSObject.AsPSObject(license)) : null,
            Settings = Settings(Value(bag, "Settings")),
            ETag = Text(bag, "ETag"),
        };
    }

    private static ModelLicense License(PSObject bag) => new(Text(bag, "SpdxId"), Text(bag, "Name") ?? "", Text(bag, "Source") ?? "");

    // A dictionary crosses as a Hashtable of its entries.
    private static SortedDictionary<string, string> Settings(object? value)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (value is IDictionary entries)
        {
            foreach (DictionaryEntry entry in entries)
            {
                settings[entry.Key.ToString() ?? ""] = entry.Value?.ToString() ?? "";
            }
        }

        return settings;
    }

    private static ModelFinding Finding(object? item)
    {
        PSObject bag = PSObject.AsPSObject(item!);
        if (bag.BaseObject is ModelFinding live)
        {
            return live;
        }

        ModelSuppression? suppression = null;
        if (Value(bag, "Suppression") is { } suppressed)
        {
            PSObject s = PSObject.AsPSObject(suppressed);
            suppression = new ModelSuppression(Text(s, "Source") ?? "", Text(s, "Justification") ?? "",
                Date(Value(s, "Expires")));
        }

        return new ModelFinding(
            Text(bag, "RuleId") ?? "",
            Convert<Severity>(bag, "Severity"),
            Convert<FindingCategory>(bag, "Category"),
            Text(bag, "Message") ?? "",
            Text(bag, "Path") ?? "",
            Text(bag, "Member"),
            Value(bag, "Offset") is null ? null : Convert<long>(bag, "Offset"),
            Text(bag, "Evidence"),
            Items(bag, "Cve").Select(c => c?.ToString() ?? "").ToArray(),
            Text(bag, "Scanner") ?? "",
            Text(bag, "Remediation"),
            Text(bag, "HelpUri"),
            Text(bag, "Fingerprint") ?? "",
            suppression);
    }

    private static object? Value(PSObject bag, string name)
    {
        object? value = bag.Properties[name]?.Value;
        return value is PSObject { BaseObject: var inner } && inner is not PSCustomObject ? inner : value;
    }

    // DateTimeOffset is not one of the types PowerShell serialization keeps: it arrives as a bag of its properties.
    private static DateTimeOffset? Date(object? value) => value switch
    {
        null => null,
        DateTimeOffset date => date,
        DateTime date => new DateTimeOffset(date.ToUniversalTime()),
        PSObject bag when bag.Properties["UtcDateTime"]?.Value is { } utc => new DateTimeOffset(DateTime.SpecifyKind(LanguagePrimitives.ConvertTo<DateTime>(utc), DateTimeKind.Utc)),
        _ => LanguagePrimitives.ConvertTo<DateTimeOffset>(value),
    };

    private static string? Text(PSObject bag, string name) => Value(bag, name)?.ToString();

    private static T Convert<T>(PSObject bag, string name) =>
        Value(bag, name) is { } value ? LanguagePrimitives.ConvertTo<T>(value) : default!;

    private static IEnumerable<object?> Items(PSObject bag, string name) => Value(bag, name) switch
    {
        null => Enumerable.Empty<object?>(),
        string one => new object?[] { one },
        IEnumerable many => many.Cast<object?>(),
        var one => new[] { one },
    };
}
