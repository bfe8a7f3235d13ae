using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>One parser the campaign gives turns to: a scanner, or the content analyzers of one name, and the seeds
/// (indexes into the corpus) it reads.</summary>
internal sealed record FuzzTarget(string Parser, IFormatScanner? Scanner, IReadOnlyList<IContentAnalyzer> Analyzers, int[] Seeds);
