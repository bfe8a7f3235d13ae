namespace ModelAudit.Engine.Tests;

/// <summary>Tests that point TMPDIR at a private folder run alone, so no other test writes its temp files there.</summary>
[CollectionDefinition(nameof(TempFolderCollection), DisableParallelization = true)]
public sealed class TempFolderCollection
{
}
