namespace ModelAudit;

/// <summary>The result of scanning one top-level file: its format, hash, outcome and findings.</summary>
public sealed class ModelScanResult
{
    /// <summary>Creates a result. Made by the engine.</summary>
    public ModelScanResult(
        string path,
        string format,
        long size,
        string? sha256,
        ScanOutcome outcome,
        IReadOnlyList<ModelFinding> findings,
        TimeSpan duration,
        IReadOnlyList<string> errors,
        string? linkTarget = null,
        bool coverageComplete = true)
    {
        LinkTarget = linkTarget;
        CoverageComplete = coverageComplete && outcome is not (ScanOutcome.Inconclusive or ScanOutcome.Error);
        Path = path;
        Format = format;
        Size = size;
        Sha256 = sha256;
        Outcome = outcome;
        Findings = findings as ModelFindingList ?? new ModelFindingList(findings);
        Duration = duration;
        Errors = errors as ModelTextList ?? new ModelTextList(errors);
    }

    /// <summary>The file (or URI) scanned.</summary>
    public string Path { get; }

    /// <summary>The file actually read when <see cref="Path"/> is a symbolic link (e.g. a Hugging Face cache blob); null otherwise.</summary>
    public string? LinkTarget { get; }

    /// <summary>The store's entity tag (S3 ETag, Hugging Face oid) of the object scanned, for a remote object; it pins
    /// which version the findings are about. Null for local files.</summary>
    public string? ETag { get; init; }

    /// <summary>The format detected from content, e.g. <c>Pickle</c>, <c>PyTorchZip</c>, <c>SafeTensors</c>.</summary>
    public string Format { get; }

    /// <summary>Size in bytes.</summary>
    public long Size { get; }

    /// <summary>
    /// False when part of the file was not scanned (a limit, an unparsed part, a Git LFS pointer instead of the
    /// weights), whatever the outcome and <c>-MinimumSeverity</c>: a file with findings can still hide more.
    /// </summary>
    public bool CoverageComplete { get; }

    /// <summary>Lower-case hex SHA-256 of the file; null with <c>-SkipHash</c> or when unreadable.</summary>
    public string? Sha256 { get; }

    /// <summary>Clean, Issues, Inconclusive or Error.</summary>
    public ScanOutcome Outcome { get; }

    /// <summary>Findings in a deterministic order (by offset within each member, as scanned).</summary>
    public IReadOnlyList<ModelFinding> Findings { get; }

    /// <summary>Wall-clock time spent on this file.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Errors that stopped part or all of the scan (unreadable file, cancelled, timed out).</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The licence the file declares (model card, metadata, LICENSE text); null when it declares none.</summary>
    public ModelLicense? License { get; init; }

    /// <summary>Tensors the format declares (counted in full, even past the engine's kept-tensor cap).</summary>
    public long TensorCount { get; init; }

    /// <summary>Elements over the declared tensor shapes (the parameter count of a weights file); null when a shape
    /// is too large to count or the tensors were not all kept.</summary>
    public long? ParameterCount { get; init; }

    /// <summary>The distinct tensor element types, as the format names them, in ordinal order.</summary>
    public IReadOnlyList<string> TensorDTypes { get; init; } = Array.Empty<string>();

    /// <summary>Tensors whose values weight analysis read in full (0 when it was off for this file).</summary>
    public long AnalyzedTensorCount { get; init; }

    /// <summary>The options and policy the scan ran with (name → value, as the cmdlet recorded them), so a report
    /// says how its results were obtained; empty for a result made without them.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Number of Critical findings that are not suppressed.</summary>
    public int CriticalCount => Count(Severity.Critical);

    /// <summary>Number of Warning findings that are not suppressed.</summary>
    public int WarningCount => Count(Severity.Warning);

    /// <summary>Number of Info findings that are not suppressed.</summary>
    public int InfoCount => Count(Severity.Info);

    /// <summary>The highest severity of the findings that are not suppressed, or null when there are none.</summary>
    public Severity? MaxSeverity => Findings.Any(f => !f.IsSuppressed) ? Findings.Where(f => !f.IsSuppressed).Max(f => f.Severity) : null;

    /// <summary>Number of findings a policy suppression or a baseline suppresses (they are still in <see cref="Findings"/>).</summary>
    public int SuppressedCount => Findings.Count(f => f.IsSuppressed);

    private int Count(Severity severity) => Findings.Count(f => f.Severity == severity && !f.IsSuppressed);

    /// <inheritdoc />
    public override string ToString() => $"{Outcome} {Format} {Path}";
}
