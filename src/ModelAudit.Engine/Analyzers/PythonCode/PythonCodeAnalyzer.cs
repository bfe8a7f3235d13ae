using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.PythonCode;

/// <summary>
/// Python code shipped with a model (custom modelling code, auto_map targets, TorchServe handlers, scripts in
/// archives): tokenized, never run, and its calls resolved through its imports (import subprocess as sp; sp.run → 
/// subprocess.run). Execution primitives are Warnings; exec/eval of decoded or assembled strings and __import__ of
/// built names are Critical; network and file deletion are Info. Ordinary modelling code (torch.nn, math) is silent.
/// </summary>
internal sealed class PythonCodeAnalyzer : IContentAnalyzer
{
    // Enough tokens for any real modelling file (the largest transformers modules are ~50k tokens).
    private const int MaxTokens = 500_000;

    // Per rule and fragment: the first occurrences locate the problem; hundreds add nothing.
    private const int MaxFindingsPerRule = 10;

    private static readonly string[] s_pythonExtensions = { ".py", ".pyw" };

    public string Name => "PythonCode";

    /// <summary>Whether a file of this name is analyzed as Python source.</summary>
    public static bool IsPythonSource(string name) => s_pythonExtensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase);

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        if (fragment.Kind != ContentKind.FileText || context.Frame.InTorchScript
            || !IsPythonSource(fragment.KeyPath))
        {
            return;
        }

        List<PythonToken> tokens = PythonTokenizer.Tokenize(fragment.Text, MaxTokens);
        if (tokens.Count >= MaxTokens)
        {
            context.ReportInconclusive(RuleIds.LimitExceeded, $"'{fragment.KeyPath}' has more than {MaxTokens:N0} tokens; the rest was not analyzed.", fragment.Offset);
        }

        var aliases = ImportAliases(tokens);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        bool decodes = false;
        var runners = new List<(string Name, int Line, bool Obfuscated)>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != PythonTokenKind.Name || (i > 0 && tokens[i - 1].Text == ".") || IsDefinition(tokens, i))
            {
                continue;
            }

            int end = DottedEnd(tokens, i);
            string name = Resolve(tokens, i, end, aliases);
            bool call = end + 1 < tokens.Count && tokens[end + 1].Text == "(";
            int line = tokens[i].Line;
            if (PythonPrimitives.Decoders.Contains(name) || (name.EndsWith(".join", StringComparison.Ordinal) && i > 0 && tokens[i - 1].Kind == PythonTokenKind.String))
            {
                decodes |= call;
            }

            if (!call)
            {
                i = end;
                continue;
            }

            int close = ClosingParen(tokens, end + 1);
            if (PythonPrimitives.CodeRunners.Contains(name))
            {
                runners.Add((name, line, IsBuilt(tokens, end + 2, close, aliases)));
            }
            else if (name == "__import__" || name == "importlib.import_module")
            {
                bool literal = close == end + 3 && tokens[end + 2].Kind == PythonTokenKind.String;
                if (!literal && IsBuilt(tokens, end + 2, close, aliases))
                {
                    Report(context, fragment, counts, RuleIds.ObfuscatedCodeExecution, $"{name} of a computed name", line);
                }
                else if (name == "__import__")
                {
                    Report(context, fragment, counts, RuleIds.ShippedCodeExecution, name, line);
                }
            }
            else if (name is "getattr" or "builtins.getattr" && HasBuiltArgument(tokens, end + 2, close, aliases))
            {
                Report(context, fragment, counts, RuleIds.ObfuscatedCodeExecution, "getattr with a computed attribute name", line);
            }
            else if (PythonPrimitives.IsExecution(name))
            {
                Report(context, fragment, counts, RuleIds.ShippedCodeExecution, name, line);
            }
            else if (PythonPrimitives.IsNetwork(name))
            {
                Report(context, fragment, counts, RuleIds.ShippedCodeNetwork, name, line);
            }
            else if (PythonPrimitives.IsFileChange(name))
            {
                Report(context, fragment, counts, RuleIds.ShippedCodeFileAccess, name, line);
            }

            i = end;
        }

        // exec(base64.b64decode(...)) directly, or a decoded value handed to exec elsewhere in the same file.
        foreach (var (name, line, obfuscated) in runners)
        {
            Report(context, fragment, counts, obfuscated || decodes ? RuleIds.ObfuscatedCodeExecution : RuleIds.ShippedCodeExecution,
                obfuscated || decodes ? $"{name} of decoded or assembled code" : name, line);
        }
    }

    private static void Report(ScanContext context, ContentFragment fragment, Dictionary<string, int> counts, string rule, string what, int line)
    {
        int seen = counts.TryGetValue(rule, out int n) ? n : 0;
        counts[rule] = seen + 1;
        if (seen >= MaxFindingsPerRule)
        {
            return;
        }

        string where = fragment.Offset is null or 0 ? $"line {line}" : $"line {line} of the part at character {fragment.Offset}";
        context.Report(rule, $"'{fragment.KeyPath}' calls {what} at {where}.", fragment.Offset, $"{what} (line {line})", scanner: "PythonCode");
    }

    // "def exec(" / "class eval" / "x.exec = " are the file's own names, not the builtins.
    private static bool IsDefinition(List<PythonToken> tokens, int i) => i > 0 && tokens[i - 1].Text is "def" or "class";

    private static int DottedEnd(List<PythonToken> tokens, int i)
    {
        int end = i;
        while (end + 2 < tokens.Count && tokens[end + 1].Text == "." && tokens[end + 2].Kind == PythonTokenKind.Name)
        {
            end += 2;
        }

        return end;
    }

    private static string Resolve(List<PythonToken> tokens, int start, int end, Dictionary<string, string> aliases)
    {
        var parts = new List<string>();
        for (int k = start; k <= end; k += 2)
        {
            parts.Add(tokens[k].Text);
        }

        if (aliases.TryGetValue(parts[0], out string? full))
        {
            parts[0] = full;
        }

        return string.Join('.', parts);
    }

    private static int ClosingParen(List<PythonToken> tokens, int open)
    {
        int depth = 0;
        for (int k = open; k < tokens.Count; k++)
        {
            if (tokens[k].Text is "(" or "[" or "{")
            {
                depth++;
            }
            else if (tokens[k].Text is ")" or "]" or "}" && --depth == 0)
            {
                return k;
            }
        }

        return tokens.Count;
    }

    // An argument assembled at run time: decoded, joined, concatenated or repeated strings, chr() calls.
    private static bool IsBuilt(List<PythonToken> tokens, int from, int to, Dictionary<string, string> aliases)
    {
        for (int k = from; k < to && k < tokens.Count; k++)
        {
            PythonToken t = tokens[k];
            if (t.Kind == PythonTokenKind.Operator && t.Text is "+" or "*" or "%" && HasStringNeighbour(tokens, k))
            {
                return true;
            }

            if (t.Kind == PythonTokenKind.Name && (k == 0 || tokens[k - 1].Text != "."))
            {
                int end = DottedEnd(tokens, k);
                string name = Resolve(tokens, k, end, aliases);
                if (PythonPrimitives.Decoders.Contains(name) || name.EndsWith(".decode", StringComparison.Ordinal) || name.EndsWith(".join", StringComparison.Ordinal))
                {
                    return true;
                }

                k = end;
            }
            else if (t.Text == "." && k + 1 < to && tokens[k + 1].Text is "join" or "decode" or "fromhex")
            {
                return true;
            }
        }

        return false;
    }

    // getattr(obj, 'sys' + 'tem') or getattr(obj, ''.join(...)): the second argument is built, not a literal.
    private static bool HasBuiltArgument(List<PythonToken> tokens, int from, int to, Dictionary<string, string> aliases)
    {
        int depth = 0;
        for (int k = from; k < to && k < tokens.Count; k++)
        {
            if (tokens[k].Text is "(" or "[" or "{")
            {
                depth++;
            }
            else if (tokens[k].Text is ")" or "]" or "}")
            {
                depth--;
            }
            else if (depth == 0 && tokens[k].Text == ",")
            {
                return IsBuilt(tokens, k + 1, to, aliases);
            }
        }

        return false;
    }

    private static bool HasStringNeighbour(List<PythonToken> tokens, int k) =>
        (k > 0 && tokens[k - 1].Kind == PythonTokenKind.String) || (k + 1 < tokens.Count && tokens[k + 1].Kind == PythonTokenKind.String);

    // import a.b as c → c = a.b; import a.b → a = a; from a import b as c → c = a.b. Relative imports name the
    // repository's own modules and stay unresolved.
    private static Dictionary<string, string> ImportAliases(List<PythonToken> tokens)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            bool lineStart = i == 0 || tokens[i - 1].Kind == PythonTokenKind.NewLine || tokens[i - 1].Text == ":";
            if (!lineStart || tokens[i].Kind != PythonTokenKind.Name)
            {
                continue;
            }

            if (tokens[i].Text == "import")
            {
                int k = i + 1;
                while (k < tokens.Count && tokens[k].Kind == PythonTokenKind.Name)
                {
                    int end = DottedEnd(tokens, k);
                    string module = string.Join('.', Enumerable.Range(0, (end - k) / 2 + 1).Select(j => tokens[k + 2 * j].Text));
                    if (end + 2 < tokens.Count && tokens[end + 1].Text == "as")
                    {
                        aliases[tokens[end + 2].Text] = module;
                        end += 2;
                    }

                    k = end + 1;
                    if (k < tokens.Count && tokens[k].Text == ",")
                    {
                        k++;
                        continue;
                    }

                    break;
                }
            }
            else if (tokens[i].Text == "from" && i + 1 < tokens.Count && tokens[i + 1].Kind == PythonTokenKind.Name)
            {
                int end = DottedEnd(tokens, i + 1);
                string module = string.Join('.', Enumerable.Range(0, (end - i - 1) / 2 + 1).Select(j => tokens[i + 1 + 2 * j].Text));
                int k = end + 1;
                if (k >= tokens.Count || tokens[k].Text != "import")
                {
                    continue;
                }

                for (k++; k < tokens.Count && tokens[k].Kind != PythonTokenKind.NewLine; k++)
                {
                    if (tokens[k].Kind != PythonTokenKind.Name)
                    {
                        continue;
                    }

                    string imported = tokens[k].Text;
                    if (k + 2 < tokens.Count && tokens[k + 1].Text == "as")
                    {
                        aliases[tokens[k + 2].Text] = module + "." + imported;
                        k += 2;
                    }
                    else
                    {
                        aliases[imported] = module + "." + imported;
                    }
                }
            }
        }

        return aliases;
    }
}
