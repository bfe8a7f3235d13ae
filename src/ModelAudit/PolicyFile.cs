using System.Collections;
using System.Globalization;
using System.Management.Automation.Language;

namespace ModelAudit.Commands;

/// <summary>
/// Reads a policy .psd1 (DESIGN §5) without running it: the file is parsed, and only constant values are accepted.
/// Every problem names the key and the line, so a malformed policy stops the command with a precise message.
/// </summary>
internal sealed class PolicyFile
{
    private static readonly string[] s_keys = { "DeniedGlobals", "AllowedGlobals", "SeverityOverrides", "Limits", "Suppressions" };
    private static readonly string[] s_suppressionKeys = { "RuleId", "Path", "Member", "Justification", "Expires" };

    /// <summary>The file the policy was read from, and its SHA-256: reports record which policy judged the results.</summary>
    public string Path { get; private init; } = "";

    public string Sha256 { get; private init; } = "";

    public HashSet<string> DeniedGlobals { get; } = new(StringComparer.Ordinal);

    public HashSet<string> AllowedGlobals { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Severity> SeverityOverrides { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Limits { get; } = new(StringComparer.Ordinal);

    /// <summary>Suppressions in file order, expired ones included (the cmdlet warns about those and leaves them out).</summary>
    public List<PolicySuppression> Suppressions { get; } = new();

    /// <summary>Parses <paramref name="path"/>; throws <see cref="FormatException"/> naming the key and line.</summary>
    public static PolicyFile Read(string path, IReadOnlyCollection<string> limitNames, IReadOnlyCollection<string> ruleIds)
    {
        ScriptBlockAst script = Parser.ParseFile(path, out _, out ParseError[] errors);
        if (errors.Length > 0)
        {
            throw new FormatException($"{path}:{errors[0].Extent.StartLineNumber}: {errors[0].Message}");
        }

        if (script.EndBlock?.Statements is not [PipelineAst { PipelineElements: [CommandExpressionAst { Expression: HashtableAst table }] }])
        {
            throw new FormatException($"{path}: a policy file holds one hashtable, @{{ … }}.");
        }

        var policy = new PolicyFile { Path = path, Sha256 = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant() };
        foreach (var (keyAst, valueAst) in table.KeyValuePairs)
        {
            string key = keyAst is StringConstantExpressionAst s ? s.Value : keyAst.Extent.Text;
            int line = keyAst.Extent.StartLineNumber;
            string where = $"{path}:{line}: '{key}'";
            if (!s_keys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new FormatException($"{where} is not a policy key (expected {string.Join(", ", s_keys)}).");
            }

            object? value = Value(valueAst, where);
            switch (key.ToLowerInvariant())
            {
                case "deniedglobals":
                    policy.DeniedGlobals.UnionWith(Globals(value, where));
                    break;
                case "allowedglobals":
                    policy.AllowedGlobals.UnionWith(Globals(value, where));
                    break;
                case "severityoverrides":
                    foreach (DictionaryEntry entry in Table(value, where))
                    {
                        string rule = entry.Key.ToString()!;
                        if (!ruleIds.Contains(rule) || !Enum.TryParse(entry.Value?.ToString(), ignoreCase: true, out Severity severity))
                        {
                            throw new FormatException($"{where}: '{rule} = {entry.Value}' needs a known rule id and Critical, Warning or Info.");
                        }

                        policy.SeverityOverrides[rule] = severity;
                    }

                    break;
                case "suppressions":
                    policy.Suppressions.AddRange(ReadSuppressions(value, where, path, line, ruleIds));
                    break;
                default:
                    foreach (DictionaryEntry entry in Table(value, where))
                    {
                        string name = limitNames.FirstOrDefault(n => string.Equals(n, entry.Key.ToString(), StringComparison.OrdinalIgnoreCase))
                            ?? throw new FormatException($"{where}: '{entry.Key}' is not a limit (expected {string.Join(", ", limitNames)}).");
                        if (!long.TryParse(entry.Value?.ToString(), out long number) || number <= 0)
                        {
                            throw new FormatException($"{where}: limit '{name}' needs a positive whole number.");
                        }

                        policy.Limits[name] = number;
                    }

                    break;
            }
        }

        return policy;
    }

    private static object? Value(Ast ast, string where)
    {
        try
        {
            return ast.SafeGetValue();
        }
        catch (InvalidOperationException)
        {
            throw new FormatException($"{where} must be a constant value (no commands or variables).");
        }
    }

    private static IEnumerable<string> Globals(object? value, string where)
    {
        IEnumerable items = value is string one ? new[] { one } : value as IEnumerable ?? throw new FormatException($"{where} must be a list of 'module.name' strings.");
        foreach (object? item in items)
        {
            if (item is not string name || !name.Contains('.') || name.StartsWith('.') || name.EndsWith('.'))
            {
                throw new FormatException($"{where}: '{item}' is not an exact 'module.name'.");
            }

            yield return name;
        }
    }

    // RuleId, Path and Justification are required: a suppression nobody can explain, or one without a scope, would
    // silently hide every finding of a rule.
    private static IEnumerable<PolicySuppression> ReadSuppressions(object? value, string where, string path, int line, IReadOnlyCollection<string> ruleIds)
    {
        IEnumerable entries = value is IDictionary one ? new[] { one } : value as IEnumerable ?? throw new FormatException($"{where} must be a list of @{{ RuleId = …; Path = …; Justification = … }} entries.");
        int index = 0;
        foreach (object? item in entries)
        {
            index++;
            string at = $"{where} entry {index}";
            IDictionary entry = Table(item, at);
            foreach (object key in entry.Keys)
            {
                if (!s_suppressionKeys.Contains(key.ToString(), StringComparer.OrdinalIgnoreCase))
                {
                    throw new FormatException($"{at}: '{key}' is not a suppression key (expected {string.Join(", ", s_suppressionKeys)}).");
                }
            }

            string rule = Text(entry, "RuleId", at) ?? throw new FormatException($"{at} needs a RuleId.");
            if (!ruleIds.Contains(rule))
            {
                throw new FormatException($"{at}: '{rule}' is not a known rule id.");
            }

            string pattern = Text(entry, "Path", at) ?? throw new FormatException($"{at} needs a Path pattern ('*' for every file).");
            string justification = Text(entry, "Justification", at) is { Length: > 0 } reason && !string.IsNullOrWhiteSpace(reason)
                ? reason : throw new FormatException($"{at} needs a Justification: suppressed findings are kept in reports with it.");
            DateTimeOffset? expires = null;
            if (Text(entry, "Expires", at) is { } date)
            {
                // A date alone (yyyy-MM-dd) is the UTC day the suppression stops applying.
                if (!DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed))
                {
                    throw new FormatException($"{at}: Expires '{date}' is not a date (yyyy-MM-dd).");
                }

                expires = parsed;
            }

            yield return new PolicySuppression(rule, pattern, Text(entry, "Member", at), justification, expires, $"policy {path}:{line} #{index}");
        }
    }

    private static string? Text(IDictionary entry, string key, string where)
    {
        foreach (DictionaryEntry pair in entry)
        {
            if (string.Equals(pair.Key.ToString(), key, StringComparison.OrdinalIgnoreCase))
            {
                return pair.Value switch
                {
                    null => null,
                    string text => text,
                    DateTime date => date.ToString("o", CultureInfo.InvariantCulture),
                    _ => throw new FormatException($"{where}: {key} must be a string."),
                };
            }
        }

        return null;
    }

    private static IDictionary Table(object? value, string where) =>
        value as IDictionary ?? throw new FormatException($"{where} must be a hashtable, @{{ … }}.");
}
