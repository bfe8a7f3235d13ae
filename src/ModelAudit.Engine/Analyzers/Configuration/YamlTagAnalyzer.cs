using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>
/// YAML files (.yaml, .yml, MLmodel) read with parser events: a tag PyYAML's unsafe loaders turn into an import or a
/// call (!!python/object, /object/apply, /object/new, /name, /module) is Critical. Core tags and Python data tags
/// (!!python/tuple, !!python/str…) only build plain values and stay silent; any other explicit tag (!include,
/// !ruby/object, an application's !Tag) needs a constructor of its own and is a Warning. Text too large to parse in
/// one piece, or that does not parse, is searched for the Python tags as text, so a broken or huge document fails
/// closed.
/// </summary>
internal sealed partial class YamlTagAnalyzer : IContentAnalyzer
{
    private const string PythonTagPrefix = "tag:yaml.org,2002:python/";

    private const string CoreTagPrefix = "tag:yaml.org,2002:";

    private static readonly string[] s_constructingTags = { "object", "name", "module" };

    // The YAML 1.1 core and type-repository tags every loader knows, and the Python data tags PyYAML builds plain
    // values from (no import, no call).
    private static readonly HashSet<string> s_plainDataTags = new(StringComparer.Ordinal)
    {
        "str", "int", "float", "bool", "null", "map", "seq", "binary", "timestamp", "omap", "pairs", "set", "merge", "value", "yaml",
        "python/none", "python/bool", "python/str", "python/unicode", "python/bytes", "python/int", "python/long", "python/float",
        "python/complex", "python/list", "python/tuple", "python/dict",
    };

    public string Name => "Configuration";

    public static bool IsYamlFile(string name) =>
        name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
        || name.Equals("MLmodel", StringComparison.Ordinal);

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        if (fragment.Kind != ContentKind.FileText || !IsYamlFile(FragmentText.FileName(fragment)))
        {
            return;
        }

        if (FragmentText.IsWholeFile(fragment) && YamlWalk.Of(fragment.Text) is { Error: null } walk)
        {
            foreach (var (tag, offset) in walk.Tags)
            {
                if (IsConstructing(tag))
                {
                    Report(context, fragment, "!!python/" + tag[PythonTagPrefix.Length..], offset);
                }
                else if (!IsPlainData(tag))
                {
                    string shown = Shown(tag.StartsWith(CoreTagPrefix, StringComparison.Ordinal) ? "!!" + tag[CoreTagPrefix.Length..] : tag);
                    long? at = fragment.Offset is { } start ? start + offset : null;
                    context.Report(RuleIds.YamlCustomTag, $"'{fragment.KeyPath}' has a custom YAML tag ({shown}) that only a loader with its own constructor accepts.",
                        at, shown, scanner: Name);
                }
            }

            return;
        }

        for (Match m = TagText().Match(fragment.Text); m.Success; m = m.NextMatch())
        {
            if (fragment.Owns(m.Index))
            {
                Report(context, fragment, m.Value.Trim(), m.Index);
            }
        }
    }

    private static bool IsConstructing(string tag) =>
        tag.StartsWith(PythonTagPrefix, StringComparison.Ordinal)
        && s_constructingTags.Any(t => tag.AsSpan(PythonTagPrefix.Length).StartsWith(t, StringComparison.Ordinal));

    private static bool IsPlainData(string tag) =>
        tag.StartsWith(CoreTagPrefix, StringComparison.Ordinal) && s_plainDataTags.Contains(tag[CoreTagPrefix.Length..]);

    private static string Shown(string tag) => tag.Length > 120 ? tag[..120] : tag;

    private void Report(ScanContext context, ContentFragment fragment, string tag, long index)
    {
        // Evidence: the tag up to its first argument (!!python/object/apply:os.system), never the whole node.
        string shown = tag.Length > 120 ? tag[..120] : tag;
        long? offset = fragment.Offset is { } start ? start + index : null;
        context.Report(RuleIds.YamlPythonTag, $"'{fragment.KeyPath}' has a YAML tag that makes PyYAML import or call Python code ({shown}).",
            offset, shown, scanner: Name);
    }

    [GeneratedRegex(@"(?:!!python/|!<tag:yaml\.org,2002:python/|tag:yaml\.org,2002:python/)(?:object|name|module)[^\s,\]\}>]*", RegexOptions.CultureInvariant)]
    private static partial Regex TagText();
}
