namespace ModelAudit.Engine.Sources.Mlflow;

/// <summary>Artifacts served by an MLflow tracking server: a run's (artifacts/list) or the proxied artifact store's
/// (mlflow-artifacts). Paths are relative to the store's root, '/'-separated.</summary>
internal interface IMlflowArtifacts
{
    /// <summary>The entries directly in folder <paramref name="folder"/> ("" for the root).</summary>
    IReadOnlyList<MlflowArtifact> List(string folder);

    /// <summary>Where the bytes of the file at <paramref name="path"/> are read (ranged GETs).</summary>
    Uri Download(string path);
}
