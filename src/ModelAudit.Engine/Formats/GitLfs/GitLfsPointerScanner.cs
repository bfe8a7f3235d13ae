using System.Text;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.GitLfs;

/// <summary>A Git LFS pointer where a model should be: the real object was never fetched, so nothing was scanned.</summary>
internal sealed class GitLfsPointerScanner : IFormatScanner
{
    private static readonly byte[] s_prefix = "version https://git-lfs.github.com/spec/"u8.ToArray();

    public ScannerInfo Info { get; } = new("gitlfs", "GitLfsPointer", new[] { GitLfsFormats.GitLfsPointer });

    public Reading? Sniff(SniffInput input) =>
        input.Head.AsSpan().StartsWith(s_prefix) ? new Reading(GitLfsFormats.GitLfsPointer, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        string text = Encoding.UTF8.GetString(input.Head);
        string? oid = null;
        string? size = null;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("oid ", StringComparison.Ordinal))
            {
                oid = line[4..].Trim();
            }
            else if (line.StartsWith("size ", StringComparison.Ordinal))
            {
                size = line[5..].Trim();
            }
        }

        // The weights were never scanned: a coverage gap, kept and counted at any -MinimumSeverity.
        context.ReportInconclusive(RuleIds.GitLfsPointer,
            $"'{input.Name}' is a Git LFS pointer ({oid ?? "no oid"}, {size ?? "unknown"} bytes), not the model itself; the real object was not scanned.",
            0, oid ?? "git-lfs pointer");
    }
}
