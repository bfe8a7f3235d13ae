using System.Collections.ObjectModel;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace ModelAudit.Commands;

/// <summary>
/// Shared by the cmdlets that scan files: -Path (wildcards) / -LiteralPath (pipeline from Get-ChildItem),
/// folder options and limits. Paths are resolved in ProcessRecord, so one bad path is one non-terminating error;
/// files are scanned in parallel in EndProcessing and every Write happens on the pipeline thread.
/// </summary>
public abstract class ModelScanCommandBase : PSCmdlet, IDisposable
{
    /// <summary>Parameter set name for -Path.</summary>
    protected const string PathSet = "Path";

    /// <summary>Parameter set name for -LiteralPath.</summary>
    protected const string LiteralPathSet = "LiteralPath";

    private const int ProgressId = 0x4D41;
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<string> _inputs = new();
    private ScanRunner? _runner;
    private bool _disposed;

    /// <summary>Files or folders to scan. Wildcards are expanded.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Files or folders to scan, taken exactly as written (no wildcards). Binds FileInfo from the pipeline.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Scan the files in sub-folders of folder targets too.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Only files whose names match one of these wildcard patterns.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[] Include { get; set; } = Array.Empty<string>();

    /// <summary>Leave out files whose names match one of these wildcard patterns.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[] Exclude { get; set; } = Array.Empty<string>();

    /// <summary>Files larger than this many bytes are not scanned (reported Inconclusive).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxFileSize { get; set; }

    /// <summary>Per-file time budget in seconds; 0 for none. A file that runs out is reported Inconclusive.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int TimeoutSec { get; set; }

    /// <summary>Do not compute SHA-256, so formats skipped by seek read only the bytes they need.</summary>
    [Parameter]
    public SwitchParameter SkipHash { get; set; }

    /// <summary>How many files to scan at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = Math.Min(Environment.ProcessorCount, 8);

    /// <summary>A policy file (.psd1): DeniedGlobals, AllowedGlobals, SeverityOverrides and Limits. See about_ModelAudit.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Policy { get; set; }

    /// <summary>An earlier JSON report (Export-ModelScanReport -Format Json): findings it already holds are reported
    /// suppressed by the baseline, so only new findings count for the outcome and -EnableExit.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Baseline { get; set; }

    /// <summary>Findings below this severity are left out of results.</summary>
    protected virtual Severity FindingThreshold => Severity.Info;

    /// <summary>True when any per-item error was written.</summary>
    protected bool HadErrors { get; private set; }

    /// <summary>The cancellation token that Ctrl+C (StopProcessing) trips.</summary>
    protected CancellationToken StopToken => _cancel.Token;

    /// <summary>The input paths in the order they arrived (one per resolved -Path/-LiteralPath value).</summary>
    protected IReadOnlyList<string> Inputs => _inputs;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        PolicyFile? policy = null;
        string? path = Policy is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Policy);
        try
        {
            if (path is not null)
            {
                policy = PolicyFile.Read(path, ScanRunner.LimitNames, ScanRunner.RuleIds);
            }
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            // A policy that cannot be read must not silently fall back to the defaults.
            ThrowTerminatingError(new ErrorRecord(ex, "ModelPolicyInvalid", ErrorCategory.InvalidData, path));
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (PolicySuppression expired in policy?.Suppressions.Where(s => s.IsExpired(now)) ?? Enumerable.Empty<PolicySuppression>())
        {
            // An expired suppression is dropped loudly: its findings count again, and the policy's owner should know why.
            WriteWarning($"The suppression of {expired.RuleId} for '{expired.Path}' ({expired.Source}) expired on {expired.Expires:yyyy-MM-dd}; it no longer suppresses.");
        }

        string? baseline = Baseline is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Baseline);
        try
        {
            _runner = new ScanRunner(new ScanSettings(Recurse, Include, Exclude,
                MyInvocation.BoundParameters.ContainsKey(nameof(MaxFileSize)) ? MaxFileSize : null, TimeoutSec, SkipHash, FindingThreshold, policy,
                now, baseline));
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            // A baseline that cannot be read would make every known finding look new (or hide new ones): stop.
            ThrowTerminatingError(new ErrorRecord(ex, "ModelBaselineInvalid", ErrorCategory.InvalidData, baseline));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (_runner is null)
        {
            return;
        }

        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string raw in literal ? LiteralPath : Path)
        {
            foreach (string file in Resolve(raw, literal))
            {
                int input = _inputs.Count;
                _inputs.Add(file);
                _runner.Add(file, input, (path, message, isError) =>
                {
                    if (isError)
                    {
                        WriteItemError(new IOException($"Cannot read '{path}': {message}"), "ModelPathUnreadable", ErrorCategory.ReadError, path);
                    }
                    else
                    {
                        WriteWarning($"Skipped '{path}': {message}.");
                    }
                });
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_runner is null || _runner.Count == 0)
        {
            Complete();
            return;
        }

        var record = new ProgressRecord(ProgressId, "Scanning model files", "Starting");
        try
        {
            foreach (var (result, input, notRegular) in _runner.Run(ThrottleLimit, (i, n, path) =>
            {
                record.StatusDescription = $"{i + 1} of {n}";
                record.CurrentOperation = path;
                record.PercentComplete = (int)(100.0 * i / Math.Max(1, n));
                WriteProgress(record);
            }, _cancel.Token))
            {
                if (notRegular is not null)
                {
                    // A FIFO would block the scan for good and /dev/zero never ends: reported, never opened.
                    WriteItemError(new IOException($"'{result.Path}' is {notRegular}, not a regular file; it was not opened."),
                        "ModelFileNotRegular", ErrorCategory.InvalidType, result.Path);
                }
                else if (result.Outcome == ScanOutcome.Error)
                {
                    WriteItemError(new IOException($"Cannot read '{result.Path}': {string.Join("; ", result.Errors)}"),
                        "ModelFileUnreadable", ErrorCategory.ReadError, result.Path);
                }

                HandleResult(result, input);
            }
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
        }

        Complete();
    }

    /// <summary>Called on the pipeline thread for each file, in input order.</summary>
    protected abstract void HandleResult(ModelScanResult result, int input);

    /// <summary>Called once after all files.</summary>
    protected virtual void Complete()
    {
    }

    /// <summary>Runs a trace over the collected files (Get-ModelPickleTrace).</summary>
    protected IEnumerable<PickleTraceEntry> TraceCollected() => _runner?.Trace(_cancel.Token) ?? Enumerable.Empty<PickleTraceEntry>();

    /// <summary>Writes a non-terminating error with the path as its target.</summary>
    protected void WriteItemError(Exception exception, string errorId, ErrorCategory category, object target)
    {
        HadErrors = true;
        WriteError(new ErrorRecord(exception, errorId, category, target));
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _cancel.Cancel();

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _cancel.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private IEnumerable<string> Resolve(string raw, bool literal)
    {
        Collection<string> resolved;
        ProviderInfo provider;
        try
        {
            if (literal)
            {
                resolved = new Collection<string> { SessionState.Path.GetUnresolvedProviderPathFromPSPath(raw, out provider, out _) };
            }
            else
            {
                resolved = GetResolvedProviderPathFromPSPath(raw, out provider);
            }
        }
        catch (ItemNotFoundException ex)
        {
            if (literal || !WildcardPattern.ContainsWildcardCharacters(raw))
            {
                WriteItemError(ex, "ModelPathNotFound", ErrorCategory.ObjectNotFound, raw);
            }

            return Array.Empty<string>();
        }
        catch (Exception ex) when (ex is ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or NotSupportedException or ArgumentException)
        {
            WriteItemError(ex, "ModelPathNotFound", ErrorCategory.ObjectNotFound, raw);
            return Array.Empty<string>();
        }

        if (provider.ImplementingType != typeof(FileSystemProvider))
        {
            WriteItemError(new ArgumentException($"'{raw}' is not a file-system path ({provider.Name})."), "ModelPathNotFileSystem", ErrorCategory.InvalidArgument, raw);
            return Array.Empty<string>();
        }

        var existing = new List<string>();
        foreach (string path in resolved)
        {
            if (File.Exists(path) || Directory.Exists(path))
            {
                existing.Add(path);
            }
            else
            {
                WriteItemError(new ItemNotFoundException($"Cannot find path '{path}' because it does not exist."), "ModelPathNotFound", ErrorCategory.ObjectNotFound, raw);
            }
        }

        return existing;
    }
}
