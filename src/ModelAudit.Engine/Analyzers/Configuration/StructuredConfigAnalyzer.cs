using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>
/// Configuration checks on TOML, INI and YAML files, read structurally (<see cref="TomlReader"/>,
/// <see cref="IniReader"/>, <see cref="YamlWalk"/>) so a key is judged by its path and value, not by text that
/// mentions it: <c>trust_remote_code</c> set to true (training and serving configs pass it to from_pretrained).
/// A file too large to read whole, or that does not parse, is searched as text instead, so it fails closed.
/// </summary>
internal sealed partial class StructuredConfigAnalyzer : IContentAnalyzer
{
    private const string TrustRemoteCode = "trust_remote_code";

    private static readonly string[] s_tomlExtensions = { ".toml" };

    private static readonly string[] s_iniExtensions = { ".ini", ".cfg", ".conf" };

    public string Name => "Configuration";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        if (fragment.Kind != ContentKind.FileText || Language(FragmentText.FileName(fragment)) is not { } language)
        {
            return;
        }

        if (FragmentText.IsWholeFile(fragment))
        {
            List<(string Path, string Value, long Offset)>? scalars = language switch
            {
                ConfigLanguage.Toml => TomlReader.Read(fragment.Text) is { Error: null } toml ? toml.Scalars : null,
                ConfigLanguage.Ini => IniReader.Read(fragment.Text) is { Error: null } ini ? ini.Scalars : null,
                _ => YamlWalk.Of(fragment.Text) is { Error: null } yaml ? yaml.Scalars : null,
            };
            if (scalars is not null)
            {
                foreach (var (path, value, offset) in scalars)
                {
                    if (LastKey(path) == TrustRemoteCode && IsTrue(value, language))
                    {
                        context.Report(RuleIds.TrustRemoteCode, $"'{fragment.KeyPath}' sets {path} to {value}.", offset, path, scanner: Name);
                    }
                }

                return;
            }
        }

        for (Match m = TrustRemoteCodeText().Match(fragment.Text); m.Success; m = m.NextMatch())
        {
            if (fragment.Owns(m.Index))
            {
                long? offset = fragment.Offset is { } start ? start + m.Index : null;
                context.Report(RuleIds.TrustRemoteCode,
                    $"'{fragment.KeyPath}' has {m.Value.Trim()} (found by text search: the file could not be read whole).", offset, TrustRemoteCode, scanner: Name);
            }
        }
    }

    private static ConfigLanguage? Language(string name)
    {
        string extension = Path.GetExtension(name);
        if (s_tomlExtensions.Contains(extension, StringComparer.OrdinalIgnoreCase))
        {
            return ConfigLanguage.Toml;
        }

        // An AWS-style credentials file has no extension but is INI.
        if (s_iniExtensions.Contains(extension, StringComparer.OrdinalIgnoreCase) || name.Equals("credentials", StringComparison.Ordinal))
        {
            return ConfigLanguage.Ini;
        }

        return YamlTagAnalyzer.IsYamlFile(name) ? ConfigLanguage.Yaml : null;
    }

    private static string LastKey(string path)
    {
        string key = path[(path.LastIndexOf('.') + 1)..];
        int index = key.IndexOf('[', StringComparison.Ordinal);
        return index >= 0 ? key[..index] : key;
    }

    // What each loader reads as true: TOML's one literal, configparser.getboolean's words, YAML 1.1's booleans (PyYAML).
    private static bool IsTrue(string value, ConfigLanguage language) => language switch
    {
        ConfigLanguage.Toml => value == "true",
        ConfigLanguage.Ini => value.ToLowerInvariant() is "1" or "yes" or "true" or "on",
        _ => value is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON",
    };

    [GeneratedRegex(@"\btrust_remote_code[""']?\s*[=:]\s*(?:true|yes|on|1)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TrustRemoteCodeText();
}
