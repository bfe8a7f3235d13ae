namespace ModelAudit.Engine.Sources.Mlflow;

/// <summary>An entry of an artifact listing: its path from the root of the artifact store it came from, whether it is
/// a folder, and its size (files).</summary>
internal sealed record MlflowArtifact(string Path, bool IsDir, long? Size);
