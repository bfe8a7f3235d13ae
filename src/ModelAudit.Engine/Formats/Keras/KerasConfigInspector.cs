using System.Text.Json;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Keras;

/// <summary>
/// Walks a Keras model config (any nesting of layers, models, losses, initializers) and reports what loading it
/// would run: Lambda code, imports outside Keras and TensorFlow, the get_file and enable_unsafe_deserialization
/// gadgets, TorchModuleWrapper. CVEs are attributed from the Keras version the file records (<see cref="KerasCves"/>).
/// </summary>
internal sealed class KerasConfigInspector
{
    /// <summary>How deep a config may nest: JsonDocument's own bound, and this walk's recursion.
    /// Nested functional models add about four levels each; real configs stay far below.</summary>
    public const int MaxDepth = 256;

    // Packages whose classes and functions a Keras config may name without importing foreign code: Keras itself
    // (keras, the tf_keras 2.x package), TensorFlow, and the Keras team's model libraries.
    private static readonly HashSet<string> s_safeRoots = new(StringComparer.Ordinal)
    {
        "keras", "tf_keras", "tensorflow", "tf", "keras_hub", "keras_nlp", "keras_cv",
    };

    // TFOpLambda layers call a tf.* symbol by name; these reach the file system or run Python.
    private static readonly string[] s_dangerousTfOps =
    {
        "io.read_file", "io.write_file", "io.gfile", "io.matching_files", "py_function", "numpy_function", "compat.v1.py_func",
        "raw_ops.ReadFile", "raw_ops.WriteFile", "raw_ops.PyFunc", "raw_ops.EagerPyFunc", "raw_ops.PyFuncStateless",
    };

    private readonly KerasVersion? _version;
    private readonly KerasSource _source;
    private readonly ScanContext _context;
    private readonly string _where;

    public KerasConfigInspector(KerasVersion? version, KerasSource source, ScanContext context, string where)
    {
        _version = version;
        _source = source;
        _context = context;
        _where = where;
    }

    /// <summary>Parses <paramref name="json"/> as a Keras config and inspects it; malformed JSON is a
    /// <see cref="ModelFormatException"/> (Keras would fail to load it too).</summary>
    public void Inspect(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = Utf8Json.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"{_where} is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            Inspect(document.RootElement);
        }
    }

    /// <summary>Inspects a parsed config.</summary>
    public void Inspect(JsonElement root) => Walk(root, "", 0);

    private void Walk(JsonElement element, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ScanLimitExceededException(nameof(MaxDepth), $"{_where} nests deeper than {MaxDepth} levels");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                InspectObject(element, path);
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Walk(property.Value, path.Length == 0 ? property.Name : path + "." + property.Name, depth + 1);
                }

                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{i++}]", depth + 1);
                }

                break;
            case JsonValueKind.String:
                string text = element.GetString()!;
                if (text.EndsWith("enable_unsafe_deserialization", StringComparison.Ordinal))
                {
                    Report(RuleIds.KerasUnsafeDeserialization, $"{_where} names '{text}' at {path}: loading switches safe_mode off for what follows.",
                        text, KerasCves.UnsafeDeserialization(_version));
                }

                break;
        }
    }

    private void InspectObject(JsonElement obj, string path)
    {
        string? className = String(obj, "class_name");
        string? module = String(obj, "module") ?? String(obj, "fn_module");
        string? registered = String(obj, "registered_name");
        obj.TryGetProperty("config", out JsonElement config);

        switch (className)
        {
            case "Lambda":
                InspectLambda(config, path);
                return; // a Lambda's 'module' is where its function lives, judged with the function.
            case "TFOpLambda" when config.ValueKind == JsonValueKind.Object && String(config, "function") is { } op:
                InspectTfOp(op, path);
                break;
            case "TorchModuleWrapper":
                InspectTorchWrapper(path);
                break;
        }

        if (className is null)
        {
            return;
        }

        // A function is serialized as class_name "function" with its name in config; a class by its class_name.
        string name = className == "function" && config.ValueKind == JsonValueKind.String ? config.GetString()! : className;
        if (module is not null)
        {
            InspectReference(module, name, path);
        }
        else if (registered is { } r && r.IndexOf('>') is > 0 and var cut && !s_safeRoots.Contains(r[..cut]))
        {
            Report(RuleIds.KerasCustomObject, $"{_where} uses the registered custom object '{r}' at {path}: loading needs, and runs, its package's code.",
                r, KerasCves.ModuleImport(_version));
        }
    }

    private void InspectReference(string module, string name, string path)
    {
        string target = module + "." + name;
        if (name == "get_file")
        {
            Report(RuleIds.KerasGetFileGadget, $"{_where} invokes '{target}' at {path}: loading downloads or writes files.", target, KerasCves.GetFile(_version));
            return;
        }

        if (name == "enable_unsafe_deserialization")
        {
            return; // reported for the string itself.
        }

        if (PickleDenylist.Match(module, name) is { } danger)
        {
            Report(RuleIds.KerasDangerousReference,
                $"{_where} names '{target}' at {path} ({danger.Kind} via {danger.Entry}): Keras imports and calls it while loading.",
                target, KerasCves.ModuleImport(_version));
            return;
        }

        string root = module.Split('.')[0];
        if (!s_safeRoots.Contains(root))
        {
            Report(RuleIds.KerasCustomObject, $"{_where} names '{target}' at {path}, outside Keras and TensorFlow: loading imports module '{module}'.",
                target, KerasCves.ModuleImport(_version));
        }
    }

    private void InspectLambda(JsonElement config, string path)
    {
        if (config.ValueKind != JsonValueKind.Object)
        {
            Report(RuleIds.KerasLambdaLayer, $"{_where} has a Lambda layer at {path} without a readable config.", "Lambda", KerasCves.Lambda(_version, _source));
            return;
        }

        string? functionType = String(config, "function_type");
        config.TryGetProperty("function", out JsonElement function);
        if (functionType == "function" || function.ValueKind == JsonValueKind.String && !LooksEncoded(function.GetString()!))
        {
            // A named function: Keras looks it up in the given module (or the caller's globals).
            string name = function.ValueKind == JsonValueKind.String ? function.GetString()! : "?";
            string module = String(config, "module") ?? "__main__";
            if (PickleDenylist.Match(module, name) is { } danger)
            {
                Report(RuleIds.KerasLambdaDangerousCode, $"{_where} has a Lambda layer at {path} calling '{module}.{name}' ({danger.Kind}).",
                    module + "." + name, KerasCves.Lambda(_version, _source));
                return;
            }

            Report(RuleIds.KerasLambdaLayer, $"{_where} has a Lambda layer at {path} calling the Python function '{module}.{name}'.",
                module + "." + name, KerasCves.Lambda(_version, _source));
            return;
        }

        string? encoded = EncodedFunction(function);
        IReadOnlyList<string>? dangerous = null;
        string why = "its code could not be decoded";
        if (encoded is not null)
        {
            try
            {
                dangerous = KerasLambdaCode.DangerousNames(encoded);
                why = dangerous is null ? "its function is not a marshalled code object" : "its code names nothing known to be dangerous";
            }
            catch (ModelFormatException ex)
            {
                why = $"its marshalled code is malformed ({ex.Message})";
            }
        }

        if (dangerous is { Count: > 0 })
        {
            Report(RuleIds.KerasLambdaDangerousCode,
                $"{_where} has a Lambda layer at {path} whose marshalled code uses {string.Join(", ", dangerous)}: Keras runs it when the model loads.",
                string.Join(",", dangerous), KerasCves.Lambda(_version, _source));
            return;
        }

        Report(RuleIds.KerasLambdaLayer, $"{_where} has a Lambda layer at {path} carrying Python bytecode; {why}.", "Lambda", KerasCves.Lambda(_version, _source));
    }

    // Keras 2 writes [code, defaults, closure]; Keras 3 {"class_name": "__lambda__", "config": {"code": …}}.
    private static string? EncodedFunction(JsonElement function) => function.ValueKind switch
    {
        JsonValueKind.String => function.GetString(),
        JsonValueKind.Array when function.GetArrayLength() > 0 && function[0].ValueKind == JsonValueKind.String => function[0].GetString(),
        JsonValueKind.Object when function.TryGetProperty("config", out JsonElement c) && c.ValueKind == JsonValueKind.Object => String(c, "code"),
        _ => null,
    };

    // Marshalled code in base64 is long and has no dots; a function name is short and may be dotted.
    private static bool LooksEncoded(string value) => value.Length >= 32 && !value.Contains('.', StringComparison.Ordinal);

    private void InspectTfOp(string op, string path)
    {
        if (s_dangerousTfOps.Any(d => op == d || op.StartsWith(d + ".", StringComparison.Ordinal)))
        {
            Report(RuleIds.KerasDangerousReference, $"{_where} has a TFOpLambda layer at {path} calling tf.{op}, which reaches the host.",
                "tf." + op, Array.Empty<string>());
        }
    }

    private void InspectTorchWrapper(string path)
    {
        if (KerasCves.TorchWrapperUngated(_version))
        {
            Report(RuleIds.KerasTorchModuleWrapper,
                $"{_where} has a TorchModuleWrapper layer at {path}: loading calls torch.load on its bytes (Keras {_version?.ToString() ?? "version unknown"}).",
                "TorchModuleWrapper", new[] { "CVE-2025-49655" });
            return;
        }

        Report(RuleIds.KerasTorchModuleWrapperGated, $"{_where} has a TorchModuleWrapper layer at {path}: its weights are a torch.load pickle.",
            "TorchModuleWrapper", Array.Empty<string>());
    }

    private void Report(string rule, string message, string evidence, string[] cves) => _context.Report(rule, message, null, evidence, cves);

    private static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
