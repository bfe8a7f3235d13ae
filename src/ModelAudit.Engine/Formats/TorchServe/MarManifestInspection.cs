using System.Text.Json;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.TorchServe;

/// <summary>
/// MAR-INF/MANIFEST.json of a TorchServe archive: which files TorchServe imports and runs at registration (a custom
/// handler, an eager-mode model file, a requirements file it may pip-install), and whether every file it names is
/// in the archive and inside it. The Python files themselves are scanned as members (to the analyzers).
/// </summary>
internal sealed class MarManifestInspection : ArchiveInspection
{
    // TorchServe's own handlers, named by module in the manifest; everything else is code from the archive.
    private static readonly HashSet<string> s_builtInHandlers = new(StringComparer.Ordinal)
    {
        "image_classifier", "image_segmenter", "object_detector", "text_classifier", "dali_image_classifier",
    };

    private static readonly string[] s_fileFields = { "serializedFile", "modelFile", "handler", "requirementsFile", "configFile" };

    private byte[]? _manifest;
    private ScanContext? _manifestContext;

    public override bool Wants(string memberName) => memberName == MarArchiveLayout.ManifestMember;

    public override void Inspect(string memberName, byte[] content, ScanContext memberContext)
    {
        _manifest = content;
        _manifestContext = memberContext;
    }

    public override void Complete(IReadOnlyCollection<string> memberNames, ScanContext archiveContext)
    {
        if (_manifest is null || _manifestContext is null)
        {
            archiveContext.Report(RuleIds.TorchServeManifestInvalid, "The .mar archive has no MAR-INF/MANIFEST.json; TorchServe cannot tell what it runs.", 0, "MANIFEST.json");
            return;
        }

        JsonElement model;
        JsonDocument document;
        try
        {
            document = Utf8Json.Parse(_manifest, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            _manifestContext.Report(RuleIds.TorchServeManifestInvalid, $"MANIFEST.json is not valid JSON: {ex.Message}", 0, "MANIFEST.json");
            return;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("model", out model)
                || model.ValueKind != JsonValueKind.Object)
            {
                _manifestContext.Report(RuleIds.TorchServeManifestInvalid, "MANIFEST.json has no 'model' section.", 0, "model");
                return;
            }

            CheckFiles(model, memberNames, _manifestContext);
            CheckCode(model, memberNames, _manifestContext);
        }
    }

    private static void CheckFiles(JsonElement model, IReadOnlyCollection<string> members, ScanContext context)
    {
        foreach (string field in s_fileFields)
        {
            if (String(model, field) is not { Length: > 0 } value)
            {
                continue;
            }

            // A handler may be "module:function" or a built-in handler name, not a file.
            string file = field == "handler" ? value.Split(':')[0] : value;
            if (field == "handler" && (s_builtInHandlers.Contains(file) || !file.EndsWith(".py", StringComparison.Ordinal)) && !members.Contains(file))
            {
                continue;
            }

            if (ArchivePaths.Escape(file) is { } escape || Path.IsPathRooted(file))
            {
                context.Report(RuleIds.ManifestMissingMember, $"MANIFEST.json {field} '{value}' points outside the archive.", 0, value);
            }
            else if (!members.Contains(file))
            {
                context.Report(RuleIds.ManifestMissingMember, $"MANIFEST.json {field} '{value}' is not in the archive.", 0, value);
            }
        }
    }

    private static void CheckCode(JsonElement model, IReadOnlyCollection<string> members, ScanContext context)
    {
        if (String(model, "handler") is { Length: > 0 } handler)
        {
            string module = handler.Split(':')[0];
            bool own = members.Contains(module) || members.Contains(module + ".py") || module.EndsWith(".py", StringComparison.Ordinal);
            if (own || !s_builtInHandlers.Contains(module))
            {
                context.Report(RuleIds.TorchServeHandler, $"The archive's handler '{handler}' is Python code TorchServe imports and runs when the model is registered.", 0, handler);
            }
        }

        if (String(model, "modelFile") is { Length: > 0 } modelFile)
        {
            context.Report(RuleIds.TorchServeHandler, $"The archive's model file '{modelFile}' is Python code TorchServe imports to build an eager-mode model.", 0, modelFile);
        }

        if (String(model, "requirementsFile") is { Length: > 0 } requirements)
        {
            context.Report(RuleIds.TorchServeHandler, $"The archive ships '{requirements}', which TorchServe pip-installs when per-model dependencies are enabled.", 0, requirements);
        }
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
