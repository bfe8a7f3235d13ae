using System.Runtime.CompilerServices;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// Walks a parsed template and reports injection techniques by what the code does, not by how it is spelled:
/// attribute reads (<c>.x</c>, <c>[x]</c>, <c>|attr(x)</c>, <c>attribute=</c> filter arguments) are judged on the
/// name they resolve to after escapes, concatenation, repetition, joins and formatting are worked out
/// (<see cref="Fold"/>); free names are judged only when the template did not bind them itself.
/// </summary>
internal sealed partial class TemplateInspector
{
    private readonly Dictionary<string, List<JinjaNode>> _assignments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<JinjaNode>> _loopSources = new(StringComparer.Ordinal);
    private readonly HashSet<string> _bound = new(StringComparer.Ordinal);
    private readonly List<TemplateIssue> _issues = new();
    private readonly HashSet<(string Rule, string Evidence)> _seen = new();

    private TemplateInspector()
    {
    }

    public static IReadOnlyList<TemplateIssue> Inspect(JinjaNode template)
    {
        var inspector = new TemplateInspector();
        inspector.Bind(template);
        inspector.Walk(template);
        return inspector._issues;
    }

    // Pass 1: every name the template binds (set, for, macro, with, import), and the values set to it, so folding
    // can follow '{% set u = "_" * 2 %}' and a local variable called 'config' is not the Flask global.
    private void Bind(JinjaNode node)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (node.Kind)
        {
            case JinjaNodeKind.Set:
                BindTarget(node.Children[0], node.Children[1]);
                break;
            case JinjaNodeKind.SetBlock:
                BindTarget(node.Children[0], null);
                break;
            case JinjaNodeKind.For:
                BindTarget(node.Children[0], null);
                if (node.Children[0].Kind == JinjaNodeKind.Name)
                {
                    Add(_loopSources, node.Children[0].Value!, node.Children[1]);
                }

                break;
            case JinjaNodeKind.Macro:
                _bound.Add(node.Value!);
                BindParameters(node.Children[0]);
                break;
            case JinjaNodeKind.CallBlock:
                BindParameters(node.Children[0]);
                break;
            case JinjaNodeKind.With:
                foreach (JinjaNode pair in node.Children.Where(c => c.Kind == JinjaNodeKind.Pair))
                {
                    BindTarget(pair.Children[0], pair.Children[1]);
                }

                break;
            case JinjaNodeKind.Import:
            case JinjaNodeKind.FromImport:
                foreach (JinjaNode name in node.Children.Skip(1))
                {
                    BindTarget(name, null);
                }

                break;
        }

        foreach (JinjaNode child in node.Children)
        {
            Bind(child);
        }
    }

    private void BindTarget(JinjaNode target, JinjaNode? value)
    {
        if (target.Kind == JinjaNodeKind.Name)
        {
            _bound.Add(target.Value!);
            if (value is not null)
            {
                Add(_assignments, target.Value!, value);
            }
        }
        else if (target.Kind == JinjaNodeKind.Tuple)
        {
            foreach (JinjaNode item in target.Children)
            {
                BindTarget(item, null);
            }
        }
    }

    private void BindParameters(JinjaNode parameters)
    {
        foreach (JinjaNode p in parameters.Children)
        {
            _bound.Add(p.Value!);
        }
    }

    private static void Add(Dictionary<string, List<JinjaNode>> map, string name, JinjaNode value)
    {
        if (!map.TryGetValue(name, out var list))
        {
            map[name] = list = new List<JinjaNode>();
        }

        list.Add(value);
    }

    // Pass 2: judge every node.
    private void Walk(JinjaNode node)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (node.Kind)
        {
            case JinjaNodeKind.Name when !_bound.Contains(node.Value!) && TemplateNames.DangerousReferences.Contains(node.Value!):
                Issue(RuleIds.TemplateDangerousReference, node.Value!, $"references '{node.Value}', which reaches the host application or Python itself", node.Line);
                break;
            case JinjaNodeKind.Getattr:
                CheckWalk(node.Children[0], node.Value!, node.Line);
                CheckName(node.Value!, obfuscated: false, "with '.'", node.Line);
                break;
            case JinjaNodeKind.Getitem:
                CheckSubscript(node);
                break;
            case JinjaNodeKind.Filter:
                CheckFilter(node);
                break;
            case JinjaNodeKind.Call:
                CheckCall(node);
                break;
            case JinjaNodeKind.Extends:
            case JinjaNodeKind.Include:
            case JinjaNodeKind.Import:
            case JinjaNodeKind.FromImport:
                Issue(RuleIds.TemplateLoadsTemplate, node.Value!, $"loads another template with '{{% {node.Value} %}}'", node.Line);
                break;
        }

        foreach (JinjaNode child in node.Children)
        {
            Walk(child);
        }
    }

    private void CheckSubscript(JinjaNode node)
    {
        JinjaNode key = node.Children[1];
        if (key.Kind is JinjaNodeKind.Number or JinjaNodeKind.Slice)
        {
            return;
        }

        bool literal = key.Kind == JinjaNodeKind.String;
        if (literal || IsStringBuilt(key, 0))
        {
            ReadByComputedName(node.Children[0], key, obfuscated: !literal || key.Escaped, "by subscript", node.Line, unresolvedIsIssue: true);
        }
    }

    private void CheckFilter(JinjaNode node)
    {
        string name = node.Value!;
        var positional = node.Children.Skip(1).Where(c => c.Kind is not (JinjaNodeKind.Keyword or JinjaNodeKind.DynArgs or JinjaNodeKind.DynKwargs)).ToList();
        if (name == "attr")
        {
            if (positional.Count > 0)
            {
                JinjaNode arg = positional[0];
                bool plain = arg.Kind == JinjaNodeKind.String && !arg.Escaped;
                ReadByComputedName(node.Children[0], arg, obfuscated: !plain, "through |attr", node.Line, unresolvedIsIssue: true);
            }

            return;
        }

        if (!TemplateNames.AttributeFilters.Contains(name))
        {
            return;
        }

        var attributeArgs = node.Children.Where(c => c.Kind == JinjaNodeKind.Keyword && c.Value == "attribute").Select(c => c.Children[0]).ToList();
        if (name is "selectattr" or "rejectattr" or "groupby" && positional.Count > 0)
        {
            attributeArgs.Add(positional[0]);
        }
        else if (name == "map" && positional.Count > 1 && Fold(positional[0], 0) is { Count: 1 } filter && filter[0] as string == "attr")
        {
            attributeArgs.Add(positional[1]);
        }

        foreach (JinjaNode arg in attributeArgs)
        {
            foreach (string value in FoldStrings(arg) ?? new List<string>())
            {
                // Jinja2 follows dots in these arguments: attribute='__class__.__mro__'.
                foreach (string part in value.Split('.'))
                {
                    CheckName(part, obfuscated: arg.Kind != JinjaNodeKind.String || arg.Escaped, $"through |{name}", node.Line);
                }
            }
        }
    }

    private void CheckCall(JinjaNode node)
    {
        JinjaNode callee = node.Children[0];
        string? method = callee.Kind switch
        {
            JinjaNodeKind.Getattr => callee.Value,
            JinjaNodeKind.Filter when callee.Value == "attr" && callee.Children.Count > 1 => FoldStrings(callee.Children[1]) is { Count: 1 } names ? names[0] : null,
            _ => null,
        };
        if (method is not null && TemplateNames.ExecutionMethods.Contains(method))
        {
            Issue(RuleIds.TemplateExecutionCall, method, $"calls '{method}(…)', a method that runs commands or code", node.Line);
        }
    }

    // obj[key] or obj|attr(key): judge the name the key resolves to; a key nobody can resolve without rendering is
    // reported as computed.
    private void ReadByComputedName(JinjaNode obj, JinjaNode key, bool obfuscated, string how, int line, bool unresolvedIsIssue)
    {
        List<string>? names = FoldStrings(key);
        if (names is null)
        {
            if (unresolvedIsIssue)
            {
                Issue(RuleIds.TemplateComputedAttribute, how, $"reads an attribute {how} whose name is computed at render time", line);
            }

            return;
        }

        foreach (string name in names)
        {
            CheckWalk(obj, name, line);
            CheckName(name, obfuscated, how, line);
        }
    }

    private void CheckName(string name, bool obfuscated, string how, int line)
    {
        if (TemplateNames.IsInternal(name))
        {
            if (obfuscated)
            {
                Issue(RuleIds.TemplateObfuscatedAttribute, name, $"builds the name '{name}' from escapes or string operations and reads it {how}", line);
            }
            else
            {
                Issue(RuleIds.TemplateInternalAttribute, name, $"reads the Python internal attribute '{name}' {how}", line);
            }
        }
        else if (obfuscated && TemplateNames.ExecutionMethods.Contains(name))
        {
            Issue(RuleIds.TemplateObfuscatedAttribute, name, $"builds the name '{name}' from escapes or string operations and reads it {how}", line);
        }
    }

    private void CheckWalk(JinjaNode obj, string attribute, int line)
    {
        if (obj.Kind == JinjaNodeKind.Name && !_bound.Contains(obj.Value!) && TemplateNames.WalkableGlobals.Contains(obj.Value!))
        {
            Issue(RuleIds.TemplateGlobalObjectWalk, $"{obj.Value}.{attribute}",
                $"reads '{attribute}' of Jinja2's global function '{obj.Value}' itself, a walk towards Python module globals", line);
        }
    }

    private void Issue(string rule, string evidence, string description, int line)
    {
        if (_seen.Add((rule, evidence)))
        {
            _issues.Add(new TemplateIssue(rule, evidence, description, line));
        }
    }
}
