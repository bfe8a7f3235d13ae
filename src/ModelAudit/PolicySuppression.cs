namespace ModelAudit.Commands;

/// <summary>One entry of a policy's <c>Suppressions</c> list, as written, with the line it is on.</summary>
internal sealed record PolicySuppression(string RuleId, string Path, string? Member, string Justification, DateTimeOffset? Expires, string Source)
{
    /// <summary>True once <see cref="Expires"/> has come: the entry then no longer suppresses anything.</summary>
    public bool IsExpired(DateTimeOffset now) => Expires is { } expires && now >= expires;
}
