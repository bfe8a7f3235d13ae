using ModelAudit.Engine.Formats.Text;

namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>Facts about a file-text fragment that structural checks need.</summary>
internal static class FragmentText
{
    /// <summary>True when the fragment is a whole file: the first chunk, shorter than a chunk.</summary>
    public static bool IsWholeFile(ContentFragment fragment) =>
        fragment.Kind == ContentKind.FileText && fragment.Offset is null or 0 && fragment.Text.Length < TextScanner.ChunkChars;

    public static string FileName(ContentFragment fragment) => Path.GetFileName(fragment.KeyPath.Replace('\\', '/'));
}
