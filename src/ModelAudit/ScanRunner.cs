using System.Globalization;
using System.Reflection;
using ModelAudit.Engine.Reporting;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;
using ModelAudit.Engine.Sources.Cache;
using ModelAudit.Engine.Sources.S3;

namespace ModelAudit.Commands;

/// <summary>
/// The cmdlets' only door into the engine. Kept out of cmdlet signatures so PowerShell can reflect over the
/// cmdlets before the engine's load context is asked for anything.
/// </summary>
internal sealed class ScanRunner
{
    private readonly ScanEngine _engine;
    private readonly List<ScanItem> _items = new();
    private readonly List<int> _inputOf = new();

    public ScanRunner(ScanSettings settings)
    {
        var limits = new ScanLimits();
        ScanPolicy policy = new();
        if (settings.Policy is { } file)
        {
            foreach (var (name, value) in file.Limits)
            {
                PropertyInfo property = typeof(ScanLimits).GetProperty(name)!;
                try
                {
                    property.SetValue(limits, Convert.ChangeType(value, property.PropertyType, CultureInfo.InvariantCulture));
                }
                catch (OverflowException)
                {
                    throw new FormatException($"Policy limit '{name}' = {value} is out of range.");
                }
            }

            policy = new ScanPolicy
            {
                DeniedGlobals = file.DeniedGlobals,
                AllowedGlobals = file.AllowedGlobals,
                SeverityOverrides = file.SeverityOverrides,
                Suppressions = file.Suppressions.Where(s => !s.IsExpired(settings.Now))
                    .Select(s => new SuppressionEntry(s.RuleId, s.Path, s.Member, s.Justification, s.Expires) { Source = s.Source })
                    .ToArray(),
            };
        }

        if (settings.BaselinePath is { } baselinePath)
        {
            using FileStream stream = File.OpenRead(baselinePath);
            policy = policy with { Baseline = ReportBaseline.Read(stream, Path.GetFileName(baselinePath)) };
        }

        var options = new ScanOptions
        {
            Limits = limits,
            Policy = policy,
            Recurse = settings.Recurse,
            Include = settings.Include,
            Exclude = settings.Exclude,
            MaxFileSize = settings.MaxFileSize,
            Timeout = settings.TimeoutSec > 0 ? TimeSpan.FromSeconds(settings.TimeoutSec) : null,
            SkipHash = settings.SkipHash,
            FollowDvcRemotes = settings.FollowDvcRemotes,
            AnalyzeWeights = settings.AnalyzeWeights,
            MinimumSeverity = settings.MinimumSeverity,
        };
        _engine = new ScanEngine(options with { RecordedSettings = RecordedScanSettings.From(settings, options) });
    }

    public int Count => _items.Count;

    /// <summary>
    /// Adds the files under a file-system path (only names matching <paramref name="nameFilter"/> when given, for a
    /// wildcard leaf under -Recurse) and returns how many were added. What the walk skips goes to
    /// <paramref name="skipped"/> with how loudly to say it.
    /// </summary>
    public int Add(string path, int input, Func<string, bool>? nameFilter, Action<string, string, NoticeLevel> skipped)
    {
        int added = 0;
        foreach (ScanItem item in LocalFileSource.Enumerate(path, _engine.Options, e => skipped(e.Path, e.Message, LevelOf(e.Kind)), nameFilter))
        {
            _items.Add(item);
            _inputOf.Add(input);
            added++;
        }

        return added;
    }

    private static NoticeLevel LevelOf(SourceEventKind kind) => kind switch
    {
        SourceEventKind.Unreadable => NoticeLevel.Error,
        SourceEventKind.Filtered or SourceEventKind.SubfoldersNotWalked => NoticeLevel.Verbose,
        _ => NoticeLevel.Warning,
    };

    /// <summary>The limits in effect, for a verbose line at the start.</summary>
    public string Describe() =>
        $"MaxFileSize {(_engine.Options.MaxFileSize is { } max ? max.ToString("N0", CultureInfo.InvariantCulture) + " bytes" : "none (every file is scanned whole)")}, "
        + $"TimeoutSec {(_engine.Options.Timeout is { } t ? t.TotalSeconds.ToString(CultureInfo.InvariantCulture) : "none")}, "
        + $"SHA-256 {(_engine.Options.SkipHash ? "skipped" : "computed (reads every byte)")}, "
        + $"weight analysis {_engine.Options.AnalyzeWeights switch { true => "on", false => "off", null => $"on up to {_engine.Options.WeightAnalysisMaxFileSize.ToString("N0", CultureInfo.InvariantCulture)} bytes" }}";

    /// <summary>True for a remote URI (hf://, s3://, https://, models:/ …): it is never handed to PowerShell's path resolution.</summary>
    public static bool IsRemote(string text) => RemoteTarget.IsRemote(text);

    /// <summary>Adds the objects under a remote URI. Throws <see cref="NotSupportedException"/> for a store not scanned
    /// yet, <see cref="FormatException"/> for a URI that store cannot mean and <see cref="ArgumentException"/> for
    /// settings it cannot use (an AWS profile that is not there); listing failures go to <paramref name="failed"/>
    /// as (path, message, error id).</summary>
    public void AddRemote(string uri, RemoteAccess access, int input, Action<string, string, string> failed)
    {
        DownloadCache? cache = CacheFor(access);
        var s3 = new S3Settings
        {
            Cache = cache,
            Credential = access.Credential,
            EndpointUrl = access.EndpointUrl,
            Region = access.Region,
            ProfileName = access.ProfileName,
            MaxDownloadSize = access.MaxDownloadSize,
            CancellationToken = access.CancellationToken,
        };
        var reads = new RemoteReadSettings { MaxDownloadSize = access.MaxDownloadSize, Cache = cache };
        IScanSource source = RemoteTarget.SourceFor(uri, access.Credential?.Password, s3, reads);
        foreach (ScanItem item in source.Enumerate(_engine.Options, e => failed(e.Path, e.Message, ErrorIdOf(e.Kind))))
        {
            _items.Add(item);
            _inputOf.Add(input);
        }
    }

    // A cache folder that cannot be made is a settings error of this URI, like a missing AWS profile.
    private static DownloadCache? CacheFor(RemoteAccess access)
    {
        try
        {
            return DownloadCache.Resolve(access.CacheDirectory, access.NoCache);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ArgumentException($"The download cache folder cannot be used: {ex.Message}", ex);
        }
    }

    private static string ErrorIdOf(SourceEventKind kind) => kind switch
    {
        SourceEventKind.RemoteNotFound => RemoteErrorIds.NotFound,
        SourceEventKind.RemoteAccessDenied => RemoteErrorIds.AccessDenied,
        _ => RemoteErrorIds.Unreadable,
    };

    /// <summary>Scans everything added, in parallel, yielding (result, input index, why the item is not a regular
    /// file or null) in the order added.</summary>
    public IEnumerable<(ModelScanResult Result, int Input, string? NotRegular)> Run(int throttle, Action<int, int, string> progress, CancellationToken cancellationToken)
    {
        using var scan = new ParallelScan(_engine, _items, throttle, cancellationToken);
        for (int i = 0; i < _items.Count; i++)
        {
            progress(i, _items.Count, _items[i].Path);
            yield return (scan.Take(i, cancellationToken), _inputOf[i], _items[i].NotRegularReason);
        }
    }

    /// <summary>Names of the limits a policy may set.</summary>
    public static IReadOnlyCollection<string> LimitNames { get; } = typeof(ScanLimits).GetProperties().Select(p => p.Name).ToArray();

    /// <summary>Rule ids a policy may override.</summary>
    public static IReadOnlyCollection<string> RuleIds { get; } = Engine.ModelAuditCatalog.Rules.Select(r => r.Id).ToArray();

    public static int ExitCodeFor(IReadOnlyCollection<ModelScanResult> results, bool hadErrors) => ExitCode.For(results, hadErrors);

    public static IReadOnlyList<ModelRule> Rules => Engine.ModelAuditCatalog.Rules;

    public static IReadOnlyList<ModelScannerInfo> Scanners => Engine.ModelAuditCatalog.Scanners;

    /// <summary>Traces the pickles of each item added, yielding each item's entries with its scan result (for errors).</summary>
    public IEnumerable<(IReadOnlyList<PickleTraceEntry> Entries, ModelScanResult Result, string? NotRegular)> Trace(CancellationToken cancellationToken)
    {
        foreach (ScanItem item in _items)
        {
            var (entries, result) = Engine.ModelAuditCatalog.TracePickles(item, _engine.Options, cancellationToken);
            yield return (entries, result, item.NotRegularReason);
        }
    }
}
