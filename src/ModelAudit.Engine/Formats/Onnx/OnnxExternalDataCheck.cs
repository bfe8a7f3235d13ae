using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Onnx;

/// <summary>
/// Checks where a model's external tensor data lives. A location that is absolute or climbs out of the model's folder
/// makes onnx.load read (and onnx.save write) any file the user can reach: Critical, with the CVE of the
/// traversal form. Inside the folder, the referenced file must exist and hold the declared byte range. Files are
/// only looked at (exists, length, link target), never opened; a location that escapes is not even looked at.
/// </summary>
internal static class OnnxExternalDataCheck
{
    private static readonly string[] s_leadingCves = { "CVE-2022-25882", "CVE-2025-51480" };
    private static readonly string[] s_nestedCves = { "CVE-2024-27318", "CVE-2025-51480" };

    public static void Check(ScanContext context, IReadOnlyList<OnnxExternalReference> references)
    {
        string? folder = LocalModelFolder(context);
        bool unverifiedReported = false;
        foreach (OnnxExternalReference reference in references)
        {
            if (reference.Location is not { Length: > 0 } location)
            {
                context.Report(RuleIds.OnnxExternalDataMissing,
                    $"Tensor '{reference.Tensor}' is stored externally but names no location; onnx.load fails on it.", reference.At, reference.Tensor);
                continue;
            }

            LocationEscape escape = ModelRelativePath.Classify(location);
            if (escape != LocationEscape.None)
            {
                string how = escape switch
                {
                    LocationEscape.Absolute => "an absolute path",
                    LocationEscape.LeadingTraversal => "a path that starts above the model's folder",
                    _ => "a path that climbs out of the model's folder after descending into it",
                };
                context.Report(RuleIds.OnnxExternalDataEscape,
                    $"Tensor '{reference.Tensor}' takes its data from '{location}', {how}: loading reads that file, saving the model writes it.",
                    reference.At, location, escape == LocationEscape.NestedTraversal ? s_nestedCves : s_leadingCves);
                continue;
            }

            if (folder is null)
            {
                if (!unverifiedReported)
                {
                    unverifiedReported = true;
                    context.Report(RuleIds.OnnxExternalDataUnverified,
                        $"The model keeps tensor data in external files (first: '{location}'); they are not beside it on a local disk, so their sizes could not be checked.",
                        reference.At, location);
                }

                continue;
            }

            CheckLocalFile(context, folder, location, reference);
        }
    }

    private static void CheckLocalFile(ScanContext context, string folder, string location, OnnxExternalReference reference)
    {
        string full = Path.GetFullPath(Path.Combine(folder, location.Replace('\\', Path.DirectorySeparatorChar)));
        var file = new FileInfo(full);
        if (!file.Exists)
        {
            context.Report(RuleIds.OnnxExternalDataMissing,
                $"Tensor '{reference.Tensor}' takes its data from '{location}', which is not beside the model; onnx.load fails or reads whatever is put there later.",
                reference.At, location);
            return;
        }

        // A link inside the folder that resolves outside it reads the same files as a traversal would.
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is { } target && !IsInside(target.FullName, folder))
        {
            context.Report(RuleIds.OnnxExternalDataEscape,
                $"Tensor '{reference.Tensor}' takes its data from '{location}', a link to '{target.FullName}' outside the model's folder.",
                reference.At, location, Array.Empty<string>());
            return;
        }

        long size = file.Length;
        long? needed = reference.Length ?? reference.ExpectedBytes;
        bool past = reference.Offset > size || (needed is { } n && (n > size || reference.Offset > size - n));
        if (past)
        {
            context.Report(RuleIds.OnnxExternalDataOutOfBounds,
                $"Tensor '{reference.Tensor}' reads {needed?.ToString("N0") ?? "its data"} bytes at offset {reference.Offset:N0} of '{location}', which holds {size:N0} bytes.",
                reference.At, location);
        }
    }

    private static string? LocalModelFolder(ScanContext context)
    {
        if (context.Depth != 0 || !Path.IsPathFullyQualified(context.Path) || !File.Exists(context.Path))
        {
            return null;
        }

        return Path.GetDirectoryName(context.Path);
    }

    private static bool IsInside(string path, string folder)
    {
        StringComparison comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string root = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(root, comparison);
    }
}
