using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// joblib ≤ 0.9 wrote each array of a dump to a companion file ('model.pkl_01.npy', or '…_01.npy.z' when
/// compressed) and pickled an NDArrayWrapper (ZNDArrayWrapper) naming it. Loading joins that name to the pickle's
/// folder: NDArrayWrapper.read passes it to numpy.load with allow_pickle=True, which unpickles a file that is not
/// a plain array, so each companion is scanned as part of the main file (its findings carry the companion's name
/// as their member). ZNDArrayWrapper.read only inflates raw array bytes, so its companion is only looked for.
/// Names that leave the folder are reported, never opened.
/// </summary>
internal static class JoblibCompanions
{
    private static readonly string[] s_modules = { "joblib.numpy_pickle", "joblib.numpy_pickle_compat" };

    /// <summary>The folder joblib resolves companion names against: the pickle's own folder when the pickle is a
    /// local file (at the top level, or the content of a top-level Z-file); null inside archives and remote sources.</summary>
    public static string? FolderOf(ScanContext context)
    {
        if (context.Frame.CompanionFolder is { } decoded)
        {
            return decoded;
        }

        if (context.Depth != 0 || !Path.IsPathFullyQualified(context.Path) || !File.Exists(context.Path))
        {
            return null;
        }

        return Path.GetDirectoryName(context.Path);
    }

    /// <summary>The wrapper class BUILD gives its state to, when it is one of joblib's legacy array wrappers:
    /// built by NEWOBJ (protocol 2+, what joblib wrote) or by copy_reg._reconstructor (protocols 0 and 1).</summary>
    public static PValue? LegacyWrapper(PValue target)
    {
        if (target.Kind != PValueKind.Call || target.Callable is not { Kind: PValueKind.Global } callable)
        {
            return null;
        }

        PValue cls = callable;
        if (callable.Name == "_reconstructor" && callable.Module is "copy_reg" or "copyreg" && target.Args?.Item(0) is { Kind: PValueKind.Global } first)
        {
            cls = first;
        }

        return s_modules.Contains(cls.Module, StringComparer.Ordinal) && cls.Name is "NDArrayWrapper" or "ZNDArrayWrapper" ? cls : null;
    }

    public static void Check(PValue wrapper, PValue state, long offset, ScanContext context)
    {
        if (state.Lookup("filename")?.AsString is not { Length: > 0 } name)
        {
            return;
        }

        bool unpickles = wrapper.Name == "NDArrayWrapper";
        string reads = unpickles ? "numpy.load(allow_pickle=True) unpickles" : "joblib inflates";
        LocationEscape escape = ModelRelativePath.Classify(name);
        if (escape != LocationEscape.None)
        {
            string how = escape == LocationEscape.Absolute ? "an absolute path" : "a path that climbs out of the pickle's folder";
            context.Report(RuleIds.JoblibCompanionOutsideFolder,
                $"{wrapper.Name} takes its array from '{name}', {how}: on load {reads} whatever file is there.", offset, name);
            return;
        }

        if (FolderOf(context) is not { } folder)
        {
            context.Report(RuleIds.JoblibCompanionUnverified,
                "The pickle keeps arrays in companion files beside it; it is not a local file, so they were not found and scanned.", offset);
            return;
        }

        string full = Path.GetFullPath(Path.Combine(folder, name.Replace('\\', Path.DirectorySeparatorChar)));
        var file = new FileInfo(full);
        if (!file.Exists)
        {
            context.Report(RuleIds.JoblibCompanionMissing,
                $"{wrapper.Name} takes its array from '{name}', which is not beside the pickle: the load fails, or {reads} whatever is put there later.",
                offset, name);
            return;
        }

        // A link inside the folder that resolves outside it reads the same files as a traversal would.
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is { } target && !IsInside(target.FullName, folder))
        {
            context.Report(RuleIds.JoblibCompanionOutsideFolder,
                $"{wrapper.Name} takes its array from '{name}', a link to '{target.FullName}' outside the pickle's folder: on load {reads} that file.",
                offset, name);
            return;
        }

        if (unpickles)
        {
            using FileStream companion = file.OpenRead();
            context.ScanChild(name, companion, companion.Length, frame => frame.WithCve("CVE-2019-6446"));
        }
    }

    private static bool IsInside(string path, string folder)
    {
        StringComparison comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string root = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(root, comparison);
    }
}
