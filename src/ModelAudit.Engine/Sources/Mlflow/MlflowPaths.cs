using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.Mlflow;

/// <summary>Path helpers shared by the MLflow artifact readers.</summary>
internal static class MlflowPaths
{
    /// <summary>Joins a folder and a name with '/'.</summary>
    public static string Join(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    /// <summary>Escapes each segment of a '/'-separated path for a URL path.</summary>
    public static string Escape(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <summary>Checks that a listed entry is directly inside <paramref name="folder"/> and names nothing outside it:
    /// a server that lists "../x" must not steer the scan (or the paths results report) elsewhere.</summary>
    public static string Checked(string folder, string path, Uri listing)
    {
        string name = folder.Length == 0 ? path : path.StartsWith(folder + "/", StringComparison.Ordinal) ? path[(folder.Length + 1)..] : string.Empty;
        if (name.Split('/').Any(RemoteObject.IsUnsafeSegment))
        {
            throw new RemoteException(null, $"{RemoteHttp.Display(listing)} listed '{path}', which is not a name inside '{folder}'.");
        }

        return path;
    }

    /// <summary>The path part of an <c>mlflow-artifacts:/path</c> or <c>mlflow-artifacts://host/path</c> URI, or null.</summary>
    public static string? ProxiedPath(string uri)
    {
        const string scheme = "mlflow-artifacts:";
        if (!uri.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string rest = uri[scheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            int slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }

        string[] segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        return segments.Any(RemoteObject.IsUnsafeSegment) ? null : string.Join('/', segments);
    }
}
