using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.GitLfs;

internal static class GitLfsFormats
{
    public static ModelFormat GitLfsPointer { get; } = new("GitLfsPointer", "Git LFS pointer files", FormatRisk.Data);
}
