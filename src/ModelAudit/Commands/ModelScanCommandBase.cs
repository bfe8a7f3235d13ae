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

    /// <summary>Parameter set name for -Uri.</summary>
    protected const string UriSet = "Uri";

    private const int ProgressId = 0x4D41;
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<string> _inputs = new();
    private readonly List<ErrorRecord> _deferredErrors = new();
    private ScanRunner? _runner;
    private bool _disposed;
    private bool _completed;
    private bool _pathsGiven;

    /// <summary>Files or folders to scan. Wildcards are expanded.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Files or folders to scan, taken exactly as written (no wildcards). Binds FileInfo from the pipeline.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Remote objects or folders to scan: hf://org/repo[@revision][/path] or a Hugging Face URL,
    /// s3://bucket[/prefix], gs://bucket[/prefix], models:/Name/Version|Stage|latest, models:/Name@alias,
    /// runs:/RunId/path, or an Artifactory URL (https://host/artifactory/repo[/path]). Remote URIs given to -Path or
    /// through the pipeline are recognised the same way, before any path resolution.</summary>
    [Parameter(ParameterSetName = UriSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Uri { get; set; } = Array.Empty<string>();

    /// <summary>Credential for remote stores; its password is the token (a Hugging Face, Google OAuth, MLflow or JFrog
    /// access token). Without it, each store's usual environment variable is used (HF_TOKEN, GOOGLE_OAUTH_ACCESS_TOKEN,
    /// MLFLOW_TRACKING_TOKEN, JFROG_ACCESS_TOKEN, ...).</summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>An S3-compatible endpoint for s3:// URIs (MinIO, Ceph, a local test server), addressed path-style.
    /// Without it, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL is used, and else AWS itself.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNull]
    public System.Uri? EndpointUrl { get; set; }

    /// <summary>The AWS region of s3:// buckets. Without it: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    /// <summary>A profile from the shared AWS config and credentials files for s3:// URIs. Without it: AWS_PROFILE,
    /// then the standard credential chain.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    /// <summary>Most bytes one remote object (any store) may transfer. Objects are read by ranges, so a header that rejects
    /// an object costs little; one that needs more than this is reported Inconclusive. Default: no cap.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateRange(1, long.MaxValue)]
    public long MaxDownloadSize { get; set; }

    /// <summary>A folder that keeps whole remote objects by URI and version (ETag, generation, LFS oid, sha256), so a
    /// second scan of an unchanged object transfers nothing. Without it: MODELAUDIT_CACHE_DIR, else no cache.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string? CacheDirectory { get; set; }

    /// <summary>Reads remote objects from the store even when -CacheDirectory or MODELAUDIT_CACHE_DIR names a cache.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter NoCache { get; set; }

    /// <summary>Scan the files in sub-folders of folder targets too.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Only files whose names match one of these wildcard patterns.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [SupportsWildcards]
    public string[] Include { get; set; } = Array.Empty<string>();

    /// <summary>Leave out files whose names match one of these wildcard patterns.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [SupportsWildcards]
    public string[] Exclude { get; set; } = Array.Empty<string>();

    /// <summary>Files larger than this many bytes are not scanned (reported Inconclusive). Default: no limit, every
    /// file is scanned and hashed whole.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ValidateRange(1, long.MaxValue)]
    public long MaxFileSize { get; set; }

    /// <summary>Per-file time budget in seconds; 0 (the default) for none. A file that runs out is reported Inconclusive.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ValidateRange(0, 86400)]
    public int TimeoutSec { get; set; }

    /// <summary>Do not compute SHA-256, so formats skipped by seek read only the bytes they need.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public SwitchParameter SkipHash { get; set; }

    /// <summary>Read the outputs of DVC pointers from the project's http(s) default remote when they are in neither the
    /// workspace nor the cache. Off by default, so a scan of a local folder makes no request a file in it chose.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter FollowDvcRemote { get; set; }

    /// <summary>Weight analysis: true always, false never, null for the engine's default (files up to its size limit).</summary>
    protected virtual bool? AnalyzeWeightsSetting => null;

    /// <summary>How many files to scan at once.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = Math.Min(Environment.ProcessorCount, 8);

    /// <summary>A policy file (.psd1): DeniedGlobals, AllowedGlobals, SeverityOverrides and Limits. See about_ModelAudit.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
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

    /// <summary>
    /// True to hold per-item errors until every path is scanned and <see cref="Complete"/> has run. -EnableExit sets
    /// it: under <c>$ErrorActionPreference = 'Stop'</c> the first error would otherwise end the command before the
    /// other paths are scanned and before the exit code is set.
    /// </summary>
    protected virtual bool DeferErrors => false;

    /// <summary>True when the walk skipped something that might matter (a folder link outside the root, a dangling
    /// link, a loop): a gate must not pass over what it did not see.</summary>
    protected bool SkippedSomething { get; private set; }

    /// <summary>True for a cmdlet whose answer ignores unwalked sub-folders silently (Test-ModelFile): they get a warning, not a verbose line.</summary>
    protected virtual bool WarnAboutUnwalkedSubfolders => false;

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
                if (!File.Exists(path))
                {
                    ThrowTerminatingError(new ErrorRecord(new ItemNotFoundException($"Cannot find the policy file '{path}'."),
                        "ModelPolicyNotFound", ErrorCategory.ObjectNotFound, path));
                }

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
                now, baseline, AnalyzeWeightsSetting, FollowDvcRemotes: FollowDvcRemote));
            WriteVerbose($"Limits: {_runner.Describe()}.");
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
        _pathsGiven = true;
        foreach (string raw in ParameterSetName == UriSet ? Uri : literal ? LiteralPath : Path)
        {
            // A URI is never a provider path: PowerShell would read "s3:" as a drive and fail with "drive not found".
            if (ParameterSetName == UriSet || ScanRunner.IsRemote(raw))
            {
                AddRemote(raw);
                continue;
            }

            foreach (var (file, nameFilter) in Targets(raw, literal))
            {
                int input = _inputs.Count;
                _inputs.Add(file);
                int unwalked = 0;
                int added = _runner.Add(file, input, nameFilter, (path, message, level) =>
                {
                    switch (level)
                    {
                        case NoticeLevel.Error:
                            WriteItemError(new IOException($"Cannot read '{path}': {message}"), "ModelPathUnreadable", ErrorCategory.ReadError, path);
                            break;
                        case NoticeLevel.Warning:
                            SkippedSomething = true;
                            WriteWarning($"Skipped '{path}': {message}.");
                            break;
                        default:
                            if (message.Contains("-Recurse", StringComparison.Ordinal))
                            {
                                unwalked++;
                                if (WarnAboutUnwalkedSubfolders)
                                {
                                    WriteWarning($"'{path}': {message}; they are not part of the answer.");
                                    break;
                                }
                            }

                            WriteVerbose($"Skipped '{path}': {message}.");
                            break;
                    }
                });

                if (added == 0 && Directory.Exists(file))
                {
                    // A folder that yields nothing must not look like a clean scan.
                    WriteWarning(unwalked > 0
                        ? $"Nothing to scan in '{file}': it holds only sub-folders; add -Recurse to scan them."
                        : $"Nothing to scan in '{file}'{(Include.Length + Exclude.Length > 0 || nameFilter is not null ? " that matches the filters" : string.Empty)}.");
                }
            }
        }
    }

    private void AddRemote(string uri)
    {
        int input = _inputs.Count;
        _inputs.Add(uri);
        var access = new RemoteAccess(Credential?.GetNetworkCredential(), EndpointUrl, Region, ProfileName,
            MyInvocation.BoundParameters.ContainsKey(nameof(MaxDownloadSize)) ? MaxDownloadSize : null, StopToken)
        {
            // Relative to PowerShell's location, not the process's working folder.
            CacheDirectory = CacheDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(CacheDirectory),
            NoCache = NoCache.IsPresent,
        };
        try
        {
            _runner!.AddRemote(uri, access, input, (path, message, errorId) =>
                WriteItemError(new IOException($"Cannot list '{path}': {message}"), errorId, errorId switch
                {
                    RemoteErrorIds.NotFound => ErrorCategory.ObjectNotFound,
                    RemoteErrorIds.AccessDenied => ErrorCategory.PermissionDenied,
                    _ => ErrorCategory.ReadError,
                }, path));
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            // Ctrl+C while listing: PowerShell is stopping the pipeline; nothing to report.
        }
        catch (ArgumentException ex)
        {
            // A named profile that is not there, keys that are empty: the settings, not the URI, are wrong.
            WriteItemError(ex, "ModelRemoteSettingsInvalid", ErrorCategory.InvalidArgument, uri);
        }
        catch (NotSupportedException ex)
        {
            WriteItemError(ex, "ModelUriNotSupported", ErrorCategory.NotImplemented, uri);
        }
        catch (FormatException ex)
        {
            WriteItemError(ex, "ModelUriInvalid", ErrorCategory.InvalidArgument, uri);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_runner is null || _runner.Count == 0)
        {
            if (_runner is not null && _pathsGiven && !HadErrors)
            {
                WriteWarning("No file was scanned.");
            }

            Finish();
            return;
        }

        try
        {
            foreach (var (result, input, notRegular) in _runner.Run(ThrottleLimit, WriteScanProgress, _cancel.Token))
            {
                WriteResultErrors(result, notRegular);
                WriteVerbose(Describe(result));
                HandleResult(result, input);
            }
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            var done = new ProgressRecord(ProgressId, "Scanning model files", "Done") { RecordType = ProgressRecordType.Completed };
            WriteProgress(done);
        }

        Finish();
    }

    /// <summary>Runs <see cref="Complete"/> once, then writes any errors held back by <see cref="DeferErrors"/>.</summary>
    private void Finish()
    {
        _completed = true;
        Complete();
        foreach (ErrorRecord error in _deferredErrors)
        {
            WriteError(error);
        }

        _deferredErrors.Clear();
    }

    /// <summary>Writes a fresh progress record each time: a host that keeps the records (a hosted runspace's
    /// Progress collection) must not see one object change under it.</summary>
    private void WriteScanProgress(int index, int count, string path) =>
        WriteProgress(new ProgressRecord(ProgressId, "Scanning model files", $"{index + 1} of {count}")
        {
            CurrentOperation = path,
            PercentComplete = (int)(100.0 * index / Math.Max(1, count)),
        });

    /// <summary>The errors <c>Invoke-ModelScan</c> writes for a file it could not open or read.</summary>
    protected void WriteResultErrors(ModelScanResult result, string? notRegular)
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
    }

    private static string Describe(ModelScanResult result)
    {
        string link = result.LinkTarget is null ? string.Empty : $" (link to '{result.LinkTarget}')";
        string line = FormattableString.Invariant(
            $"'{result.Path}'{link}: {result.Outcome}, {result.Format}, {result.Size:N0} bytes in {result.Duration.TotalSeconds:0.000} s");
        // MA9xxx findings say why coverage is incomplete: a limit hit, a part unparsed, a format not scanned.
        string[] health = result.Findings.Where(f => f.RuleId.StartsWith("MA9", StringComparison.Ordinal)).Select(f => $"{f.RuleId} {f.Message}").ToArray();
        return health.Length == 0 ? line + "." : line + "; " + string.Join("; ", health);
    }

    /// <summary>True once <see cref="Complete"/> has run; false in <see cref="Dispose"/> when the pipeline was stopped
    /// early (Ctrl+C, <c>Select-Object -First</c>, a terminating error).</summary>
    protected bool Completed => _completed;

    /// <summary>Called on the pipeline thread for each file, in input order.</summary>
    protected abstract void HandleResult(ModelScanResult result, int input);

    /// <summary>Called once after all files.</summary>
    protected virtual void Complete()
    {
    }

    /// <summary>Runs a trace over the collected files (Get-ModelPickleTrace), writing the same errors as a scan.</summary>
    protected IEnumerable<PickleTraceEntry> TraceCollected()
    {
        if (_runner is null)
        {
            yield break;
        }

        foreach (var (entries, result, notRegular) in _runner.Trace(_cancel.Token))
        {
            WriteResultErrors(result, notRegular);
            foreach (PickleTraceEntry entry in entries)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Writes a non-terminating error with the path as its target.</summary>
    protected void WriteItemError(Exception exception, string errorId, ErrorCategory category, object target)
    {
        HadErrors = true;
        var record = new ErrorRecord(exception, errorId, category, target);
        if (DeferErrors && !_completed)
        {
            _deferredErrors.Add(record);
            return;
        }

        WriteError(record);
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _cancel.Cancel();

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (!_completed)
            {
                Stopped();
            }

            _cancel.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Called from <see cref="Dispose"/> when the command ended before <see cref="Complete"/> ran.</summary>
    protected virtual void Stopped()
    {
    }

    /// <summary>
    /// What to walk for one -Path/-LiteralPath value. A wildcard leaf under -Recurse follows Get-ChildItem: the
    /// parent is resolved and the leaf filters names in every folder below it, so <c>*.pkl -Recurse</c> finds
    /// sub-folders' pickles too.
    /// </summary>
    private IEnumerable<(string Path, Func<string, bool>? NameFilter)> Targets(string raw, bool literal)
    {
        if (!literal && Recurse)
        {
            string leaf = SessionState.Path.ParseChildName(raw);
            if (WildcardPattern.ContainsWildcardCharacters(leaf))
            {
                string parent = SessionState.Path.ParseParent(raw, null);
                string parentPath = parent.Length == 0 ? "." : parent;
                var pattern = new WildcardPattern(leaf, WildcardOptions.IgnoreCase);
                return Resolve(parentPath, literal: false).Where(Directory.Exists).Select(p => (p, (Func<string, bool>?)pattern.IsMatch)).ToArray();
            }
        }

        return Resolve(raw, literal).Select(p => (p, (Func<string, bool>?)null)).ToArray();
    }

    // File.Exists is true for a dangling link on Unix (the link itself exists): a link counts only when its target does.
    private static bool Exists(string path)
    {
        if (Directory.Exists(path))
        {
            return true;
        }

        var file = new FileInfo(path);
        try
        {
            return file.Exists && (file.LinkTarget is null || file.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });
        }
        catch (IOException)
        {
            return false; // a link loop
        }
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
            if (Exists(path))
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
