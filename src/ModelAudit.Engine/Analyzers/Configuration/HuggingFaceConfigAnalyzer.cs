using System.Text.Json;
using System.Text.RegularExpressions;
using ModelAudit.Engine.Analyzers.Versions;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>
/// Hugging Face JSON configs (config.json, tokenizer_config.json, processor and other *_config.json): auto_map and
/// custom_pipelines entries name the Python files trust_remote_code imports — in this repository or, with
/// "org/repo--", in another one; trust_remote_code: true anywhere; transformers_version against known CVEs.
/// Configs too large to parse whole are searched for the same keys as text.
/// </summary>
internal sealed partial class HuggingFaceConfigAnalyzer : IContentAnalyzer
{
    // Real configs nest a few levels; deeper JSON is a crafted file and is refused by the parser.
    private const int MaxDepth = 64;

    public string Name => "Configuration";

    public static bool IsConfigFile(string name) =>
        name.Equals("config.json", StringComparison.OrdinalIgnoreCase) || name.EndsWith("_config.json", StringComparison.OrdinalIgnoreCase)
        || name.Equals("adapter_config.json", StringComparison.OrdinalIgnoreCase);

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        if (fragment.Kind != ContentKind.FileText || !IsConfigFile(FragmentText.FileName(fragment)))
        {
            return;
        }

        if (FragmentText.IsWholeFile(fragment))
        {
            JsonDocument? document = null;
            try
            {
                document = JsonDocument.Parse(fragment.Text, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException)
            {
                // Not JSON (the loader refuses it too); the text search below still looks for the keys.
            }

            if (document is not null)
            {
                using (document)
                {
                    Check(document.RootElement, fragment, context);
                }

                return;
            }
        }

        for (Match m = KeyText().Match(fragment.Text); m.Success; m = m.NextMatch())
        {
            if (!fragment.Owns(m.Index))
            {
                continue;
            }

            long? offset = fragment.Offset is { } start ? start + m.Index : null;
            string rule = m.Value.Contains("auto_map", StringComparison.Ordinal) ? RuleIds.CustomCodeLocal : RuleIds.TrustRemoteCode;
            context.Report(rule, $"'{fragment.KeyPath}' has {m.Value.Trim()} (found by text search: the file could not be parsed whole).", offset, m.Value.Trim(), scanner: Name);
        }
    }

    private void Check(JsonElement root, ContentFragment fragment, ScanContext context)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (root.TryGetProperty("auto_map", out JsonElement autoMap) && autoMap.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty entry in autoMap.EnumerateObject())
            {
                foreach (string reference in References(entry.Value))
                {
                    ReportCode(context, fragment, $"auto_map.{entry.Name}", reference);
                }
            }
        }

        if (root.TryGetProperty("custom_pipelines", out JsonElement pipelines) && pipelines.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty task in pipelines.EnumerateObject())
            {
                if (task.Value.ValueKind == JsonValueKind.Object && task.Value.TryGetProperty("impl", out JsonElement impl) && impl.ValueKind == JsonValueKind.String)
                {
                    ReportCode(context, fragment, $"custom_pipelines.{task.Name}.impl", impl.GetString()!);
                }
            }
        }

        FindTrustRemoteCode(root, fragment, context, "", 0);
        if (root.TryGetProperty("transformers_version", out JsonElement version) && version.ValueKind == JsonValueKind.String)
        {
            VersionCheck.Recorded(context, "transformers", version.GetString()!, $"'{fragment.KeyPath}'", fragment.Offset);
        }
    }

    // auto_map values are "module.Class", "org/repo--module.Class", or a [slow, fast] pair with nulls.
    private static IEnumerable<string> References(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            yield return value.GetString()!;
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    yield return item.GetString()!;
                }
            }
        }
    }

    private void ReportCode(ScanContext context, ContentFragment fragment, string key, string reference)
    {
        int separator = reference.IndexOf("--", StringComparison.Ordinal);
        string target = separator >= 0 ? reference[(separator + 2)..] : reference;
        int lastDot = target.LastIndexOf('.');
        string file = (lastDot > 0 ? target[..lastDot] : target).Replace('.', '/') + ".py";
        if (separator >= 0)
        {
            string repository = reference[..separator];
            context.Report(RuleIds.CustomCodeRemote,
                $"'{fragment.KeyPath}' {key} loads {file} from another repository, '{repository}', with trust_remote_code.", fragment.Offset, reference, scanner: Name);
        }
        else
        {
            context.Report(RuleIds.CustomCodeLocal,
                $"'{fragment.KeyPath}' {key} loads {file} from this repository with trust_remote_code.", fragment.Offset, reference, scanner: Name);
        }
    }

    private void FindTrustRemoteCode(JsonElement element, ContentFragment fragment, ScanContext context, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in element.EnumerateObject())
            {
                string childPath = path.Length == 0 ? property.Name : path + "." + property.Name;
                if (property.Name == "trust_remote_code" && property.Value.ValueKind == JsonValueKind.True)
                {
                    context.Report(RuleIds.TrustRemoteCode, $"'{fragment.KeyPath}' sets {childPath} to true.", fragment.Offset, childPath, scanner: Name);
                }
                else
                {
                    FindTrustRemoteCode(property.Value, fragment, context, childPath, depth + 1);
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in element.EnumerateArray())
            {
                FindTrustRemoteCode(item, fragment, context, path, depth + 1);
            }
        }
    }

    [GeneratedRegex(@"""auto_map""\s*:|""trust_remote_code""\s*:\s*true", RegexOptions.CultureInvariant)]
    private static partial Regex KeyText();
}
