namespace ModelAudit.Engine.Sources;

/// <summary>A path the walk skipped, and why.</summary>
public sealed record SourceEvent(string Path, SourceEventKind Kind, string Message);
