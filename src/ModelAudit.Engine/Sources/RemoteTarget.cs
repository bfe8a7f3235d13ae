using ModelAudit.Engine.Sources.Artifactory;
using ModelAudit.Engine.Sources.Gcs;
using ModelAudit.Engine.Sources.HuggingFace;
using ModelAudit.Engine.Sources.Mlflow;
using ModelAudit.Engine.Sources.S3;

namespace ModelAudit.Engine.Sources;

/// <summary>
/// Recognises remote URIs before anything treats them as paths (PowerShell would take <c>s3:</c> for a drive) and
/// makes the source that lists them. A scheme is recognised whether or not its store is supported yet, so an
/// unsupported store is a clear error rather than "drive not found".
/// </summary>
public static class RemoteTarget
{
    // Schemes that are written with "//" (hf://org/repo) and MLflow's, written with a single slash (models:/Name/1).
    private static readonly string[] SlashSlashSchemes = { "hf", "s3", "gs", "http", "https" };
    private static readonly string[] MlflowSchemes = { "models", "runs" };

    /// <summary>True when <paramref name="text"/> is a remote URI (hf://, s3://, gs://, http(s)://, models:/, runs:/).</summary>
    public static bool IsRemote(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 1)
        {
            return false; // "C:\models" is a drive, not a scheme
        }

        string scheme = text[..colon];
        string rest = text[(colon + 1)..];
        return (SlashSlashSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase) && rest.StartsWith("//", StringComparison.Ordinal))
            || (MlflowSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase) && rest.StartsWith('/'));
    }

    /// <summary>The source for a remote URI (<paramref name="s3"/>: endpoint, region, profile and keys for s3://;
    /// <paramref name="reads"/>: the download cap and cache of the other stores). Throws <see cref="NotSupportedException"/> for a store not supported yet
    /// and <see cref="FormatException"/> for a URI its store cannot mean.</summary>
    public static IScanSource SourceFor(string uri, string? token, S3Settings? s3 = null, RemoteReadSettings? reads = null)
    {
        if (uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return new S3Source(S3Location.TryParse(uri)
                ?? throw new FormatException($"'{uri}' is not an S3 reference (s3://bucket[/prefix], with a valid bucket name)."), s3 ?? new S3Settings());
        }

        Uri endpoint = HuggingFaceSource.EndpointFromEnvironment();
        if (HuggingFaceRepo.TryParse(uri, endpoint.Authority) is { } repo)
        {
            return new HuggingFaceSource(repo, endpoint, token ?? HuggingFaceSource.TokenFromEnvironment(), reads);
        }

        if (uri.StartsWith("hf://", StringComparison.OrdinalIgnoreCase) || IsHubHost(uri))
        {
            throw new FormatException($"'{uri}' is not a Hugging Face repository reference (hf://org/repo[@revision][/path]).");
        }

        if (SourceForStore(uri, token, reads) is { } store)
        {
            return store;
        }

        string scheme = uri[..uri.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant();
        throw new NotSupportedException($"Remote URIs of the form {scheme}:// are recognised but not scanned yet; copy the files locally to scan them.");
    }

    // Google Cloud Storage, MLflow and Artifactory; each reads its own endpoint and credential variables.
    private static IScanSource? SourceForStore(string uri, string? token, RemoteReadSettings? reads)
    {
        if (uri.StartsWith("gs://", StringComparison.OrdinalIgnoreCase))
        {
            GcsLocation location = GcsLocation.TryParse(uri)
                ?? throw new FormatException($"'{uri}' is not a Cloud Storage location (gs://bucket[/prefix]).");
            return new GcsSource(location, GcsSource.EndpointFromEnvironment(), token ?? GcsSource.TokenFromEnvironment(), reads);
        }

        if (uri.StartsWith("models:", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("runs:", StringComparison.OrdinalIgnoreCase))
        {
            MlflowReference reference = MlflowReference.TryParse(uri)
                ?? throw new FormatException($"'{uri}' is not an MLflow reference (models:/Name/Version|Stage|latest, models:/Name@alias, runs:/RunId/path).");
            return new MlflowSource(reference, MlflowSource.TrackingUriFromEnvironment(), MlflowSource.AuthorizationFromEnvironment(token), reads);
        }

        return ArtifactoryLocation.TryParse(uri) is { } artifactory
            ? new ArtifactorySource(artifactory, token ?? ArtifactorySource.TokenFromEnvironment(), reads)
            : null;
    }

    private static bool IsHubHost(string uri) => Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed)
        && HuggingFaceRepo.HubHosts.Contains(parsed.Host, StringComparer.OrdinalIgnoreCase);
}
