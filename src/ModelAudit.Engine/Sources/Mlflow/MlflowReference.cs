namespace ModelAudit.Engine.Sources.Mlflow;

/// <summary>
/// An MLflow reference: <c>models:/Name/Version</c>, <c>models:/Name/Stage</c>, <c>models:/Name/latest</c>,
/// <c>models:/Name@alias</c> (each optionally followed by <c>/path</c> inside the model), or <c>runs:/RunId/path</c>.
/// For a model, <see cref="Selector"/> is the version, stage or "latest" and <see cref="Alias"/> the alias; for a run,
/// <see cref="Name"/> is the run id.
/// </summary>
public sealed record MlflowReference(bool IsRun, string Name, string? Selector, string? Alias, string Path)
{
    /// <summary>True when the selector is a version number rather than a stage or "latest".</summary>
    public bool IsVersion => Selector is { Length: > 0 } s && s.All(char.IsAsciiDigit);

    /// <summary>Parses <paramref name="text"/>; null when it is not an MLflow reference, or one that cannot name anything.</summary>
    public static MlflowReference? TryParse(string text)
    {
        if (text.StartsWith("runs:/", StringComparison.OrdinalIgnoreCase))
        {
            string[] parts = Split(text["runs:/".Length..]);
            return parts.Length >= 1 && Safe(parts) && parts[0].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                ? new MlflowReference(true, parts[0], null, null, string.Join('/', parts.Skip(1)))
                : null;
        }

        if (!text.StartsWith("models:/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string[] segments = Split(text["models:/".Length..]);
        if (segments.Length == 0 || !Safe(segments))
        {
            return null;
        }

        int at = segments[0].IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            string name = segments[0][..at], alias = segments[0][(at + 1)..];
            return name.Length > 0 && alias.Length > 0
                ? new MlflowReference(false, name, null, alias, string.Join('/', segments.Skip(1)))
                : null;
        }

        return segments.Length >= 2
            ? new MlflowReference(false, segments[0], segments[1], null, string.Join('/', segments.Skip(2)))
            : null;
    }

    private static string[] Split(string rest) => rest.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();

    // A path that walks out of the model or run is not a reference to it.
    private static bool Safe(string[] segments) => !segments.Any(s => s is "." or ".." || s.Contains('\\'));
}
