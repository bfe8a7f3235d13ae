using System.Text.Json;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Skops;

/// <summary>
/// A skops schema.json: a tree of nodes, each naming the type it rebuilds (<c>__module__</c>, <c>__class__</c>)
/// and the loader node that does it (<c>__loader__</c>). skops.io.load constructs only trusted types unless the
/// caller trusts more; this check names what a caller would have to trust, and what is dangerous to trust.
/// </summary>
internal sealed class SkopsSchemaInspection : ArchiveInspection
{
    // skops schemas mirror the estimator's attribute tree: pipelines of pipelines stay well below this.
    private const int MaxDepth = 256;

    // The module roots whose types skops trusts by default (its own, scikit-learn, NumPy, SciPy) and the builtin
    // containers and scalars of the state dicts.
    private static readonly HashSet<string> s_trustedRoots = new(StringComparer.Ordinal) { "sklearn", "numpy", "scipy", "skops" };

    private static readonly HashSet<string> s_trustedBuiltins = new(StringComparer.Ordinal)
    {
        "dict", "list", "tuple", "set", "frozenset", "str", "int", "float", "bool", "complex", "bytes", "bytearray", "slice", "NoneType", "type",
    };

    private static readonly HashSet<string> s_trustedCollections = new(StringComparer.Ordinal) { "OrderedDict", "defaultdict", "Counter" };

    public override bool Wants(string memberName) => memberName == SkopsArchiveLayout.SchemaMember;

    public override void Inspect(string memberName, byte[] content, ScanContext memberContext)
    {
        JsonDocument document;
        try
        {
            document = Utf8Json.Parse(content, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"schema.json is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            Walk(document.RootElement, memberContext, 0);
        }
    }

    private static void Walk(JsonElement element, ScanContext context, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ScanLimitExceededException(nameof(MaxDepth), $"schema.json nests deeper than {MaxDepth} levels");
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            JudgeNode(element, context);
            foreach (JsonProperty property in element.EnumerateObject())
            {
                Walk(property.Value, context, depth + 1);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in element.EnumerateArray())
            {
                Walk(item, context, depth + 1);
            }
        }
    }

    private static void JudgeNode(JsonElement node, ScanContext context)
    {
        string? loader = String(node, "__loader__");
        if (loader == "OperatorFuncNode")
        {
            context.Report(RuleIds.SkopsDangerousType,
                "schema.json has an OperatorFuncNode: operator functions rebuilt this way passed skops' trusted-type check (CVE-2025-54412).",
                null, "OperatorFuncNode", new[] { "CVE-2025-54412" });
        }

        // Functions name themselves in their content; types and objects in __module__/__class__.
        (string? module, string? name) = loader == "FunctionNode" && node.TryGetProperty("content", out JsonElement c) && c.ValueKind == JsonValueKind.Object
            ? (String(c, "module_path"), String(c, "function"))
            : (String(node, "__module__"), String(node, "__class__"));
        if (module is null || name is null)
        {
            return;
        }

        string target = module + "." + name;
        if (PickleDenylist.Match(module, name) is { } danger)
        {
            string[] cves = loader == "MethodNode" ? new[] { "CVE-2025-54413" } : Array.Empty<string>();
            context.Report(RuleIds.SkopsDangerousType, $"schema.json rebuilds '{target}' ({danger.Kind} via {danger.Entry}) with {loader ?? "a node"}.", null, target, cves);
            return;
        }

        if (loader == "MethodNode" && !IsTrusted(module, name))
        {
            context.Report(RuleIds.SkopsDangerousType,
                $"schema.json binds a method of '{target}' with MethodNode, the node that reached arbitrary attributes (CVE-2025-54413).",
                null, target, new[] { "CVE-2025-54413" });
            return;
        }

        if (!IsTrusted(module, name))
        {
            context.Report(RuleIds.SkopsUntrustedType, $"schema.json names the untrusted type '{target}'; loading it needs trusted=[…] and then constructs it.", null, target);
        }
    }

    private static bool IsTrusted(string module, string name) =>
        s_trustedRoots.Contains(module.Split('.')[0])
        || (module == "builtins" && s_trustedBuiltins.Contains(name))
        || (module == "collections" && s_trustedCollections.Contains(name));

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
