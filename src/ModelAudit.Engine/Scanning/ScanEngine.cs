using System.Diagnostics;
using System.Runtime.CompilerServices;
using ModelAudit.Engine.Analyzers.Weights;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// The scan pipeline for one file: open → every reading of the content → its scanner (+ analyzers) → containers
/// recurse through <see cref="Dispatch"/> → one <see cref="ModelScanResult"/>. Each member (detection and every
/// reading) runs under its own guard, so one member's failure is that member's Inconclusive finding and the scan goes
/// on. Thread-safe: one engine serves parallel scans, each with its own <see cref="FileScan"/>.
/// </summary>
public sealed class ScanEngine
{
    public ScanEngine(ScanOptions options)
    {
        Options = options;
    }

    public ScanOptions Options { get; }

    internal ScannerRegistry Registry { get; } = ScannerRegistry.Default;

    /// <summary>Scans one item. Never throws for bad content; throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> is cancelled (a per-file timeout is reported as a finding instead).</summary>
    public ModelScanResult Scan(ScanItem item, CancellationToken cancellationToken) => Scan(item, cancellationToken, null);

    internal ModelScanResult Scan(ScanItem item, CancellationToken cancellationToken, ScanObserver? observer)
    {
        var stopwatch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (Options.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        var file = new FileScan(this, item.Path, Options, timeout.Token, observer);
        var context = new ScanContext(file, ScanFrame.Root);
        var errors = new List<string>();
        string? sha256 = null;
        long size = item.Length ?? 0;

        // FIFOs, sockets and devices are never opened: a FIFO would block the scan for good, /dev/zero never ends.
        if (item.NotRegularReason is { } notRegular)
        {
            errors.Add($"not a regular file ({notRegular}); not opened");
            return Finish(file, item, null, size, stopwatch, errors);
        }

        if (Options.MaxFileSize is { } max && item.Length > max)
        {
            context.ReportInconclusive(RuleIds.FileTooLarge, $"File is {item.Length:N0} bytes, over the {max:N0}-byte limit; not scanned.");
            return Finish(file, item, null, size, stopwatch, errors);
        }

        Stream raw;
        try
        {
            raw = item.OpenRead();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(ex.Message);
            return Finish(file, item, null, size, stopwatch, errors);
        }

        var source = new SourceReadStream(raw, raw.CanSeek ? raw.Length : null);
        using (source)
        {
            file.Weights = WeightsFor(raw);
            HashingStream? hashing = !Options.SkipHash && raw.CanSeek ? new HashingStream(source, timeout.Token, file.Weights) : null;
            Stream stream = hashing ?? (Stream)source;
            try
            {
                if (raw.CanSeek)
                {
                    size = raw.Length;

                    // Listed at one length and opened at another: the file is being written (or replaced) right now.
                    if (item.Length is { } listed && listed != size)
                    {
                        errors.Add($"the file had {listed:N0} bytes when it was listed and {size:N0} when it was opened: it changed while it was scanned");
                    }
                }

                Dispatch(context, stream, System.IO.Path.GetFileName(item.Path), raw.CanSeek ? raw.Length : item.Length);
                sha256 = hashing?.Finish();
                if (file.Weights is { } weights)
                {
                    context.Guarded("weight analysis", () => weights.Finish(raw, timeout.Token));
                }

                CheckPublishedHash(context, item.Info.PublishedSha256, sha256);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                context.ReportInconclusive(RuleIds.Timeout, $"Scan stopped after the {Options.Timeout?.TotalSeconds:0.#}-second limit.");
            }
            catch (DownloadLimitException)
            {
                // Reported below from the stream, whichever parser met it first.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Reading the file itself failed (a member's own read errors are that member's finding).
                errors.Add(ex.Message);
            }

            // A remote object that needed more than -MaxDownloadSize was not read whole: coverage, not a failure.
            if (source.Limit is { } downloadCap)
            {
                context.ReportInconclusive(RuleIds.LimitExceeded, downloadCap);
            }

            // A parser saw the file's read error or changed length as bad content; the file is what failed.
            if (source.Fault is { } fault && errors.Count == 0)
            {
                errors.Add(fault);
            }
        }

        return Finish(file, item, sha256, size, stopwatch, errors);
    }

    // Weights are read from the file itself (seekable), in the hashing pass or a pass of their own.
    private WeightPass? WeightsFor(Stream raw)
    {
        if (!raw.CanSeek || Options.AnalyzeWeights == false || (Options.AnalyzeWeights is null && raw.Length > Options.WeightAnalysisMaxFileSize))
        {
            return null;
        }

        return new WeightPass(raw.Length);
    }

    // A store that publishes a SHA-256 (a Hugging Face LFS oid) vouches for those bytes: served bytes that differ were
    // changed after publication, in transit or in a mirror.
    private static void CheckPublishedHash(ScanContext context, string? published, string? computed)
    {
        if (published is null)
        {
            return;
        }

        if (computed is null)
        {
            context.Report(RuleIds.PublishedHashNotVerified, $"The store publishes SHA-256 {published}; the content was not hashed, so it was not checked.", evidence: published);
        }
        else if (!string.Equals(published, computed, StringComparison.OrdinalIgnoreCase))
        {
            context.Report(RuleIds.PublishedHashMismatch, $"The content's SHA-256 is {computed}, but the store publishes {published} for it.", evidence: published);
        }
    }

    // The outcome is a fact about the file, computed from every finding; -MinimumSeverity only filters what is emitted.
    // A suppressed finding is an accepted risk: it no longer makes the file Issues, but it stays in the results, marked.
    // Coverage is another matter: a suppressed 9xxx finding still leaves the file Inconclusive (nothing was proven).
    private ModelScanResult Finish(FileScan file, ScanItem item, string? sha256, long size, Stopwatch stopwatch, List<string> errors)
    {
        ModelFinding[] findings = file.Findings.Select(f => Suppress(f, sha256)).ToArray();
        ScanOutcome outcome =
            findings.Any(f => f.Severity >= Severity.Warning && !f.IsSuppressed) ? ScanOutcome.Issues
            : errors.Count > 0 ? ScanOutcome.Error
            : file.IsInconclusive ? ScanOutcome.Inconclusive
            : ScanOutcome.Clean;
        ModelFinding[] shown = findings.Where((f, i) => f.Severity >= Options.MinimumSeverity || file.ExplainsOutcome(file.Findings[i])).ToArray();
        TensorSummary tensors = TensorSummary.Of(file);
        return new ModelScanResult(file.Path, file.Format.Name, size, sha256, outcome, shown, stopwatch.Elapsed, errors, item.Info.LinkTarget, !file.IsInconclusive)
        {
            TensorCount = file.TensorCount,
            ParameterCount = tensors.Parameters,
            TensorDTypes = tensors.DTypes,
            AnalyzedTensorCount = file.Weights?.Analyzed ?? 0,
            License = file.License,
            Settings = Options.RecordedSettings,
            ETag = item.Info.ETag,
        };
    }

    // The first suppression in policy order wins, so the justification shown is the one written first; the baseline
    // comes after the policy, whose reasons are more specific than "already known".
    private ModelFinding Suppress(ModelFinding finding, string? sha256)
    {
        ScanPolicy policy = Options.Policy;
        foreach (SuppressionEntry entry in policy.Suppressions)
        {
            if (entry.Covers(finding))
            {
                return finding.WithSuppression(new ModelSuppression(entry.Source, entry.Justification, entry.Expires));
            }
        }

        if (policy.Baseline is { } baseline && baseline.Contains(finding, sha256))
        {
            return finding.WithSuppression(new ModelSuppression("baseline " + baseline.Source, "Present in the baseline report."));
        }

        return finding;
    }

    /// <summary>
    /// Detects every reading of <paramref name="stream"/> and runs the scanner of each. Called for the file and for every
    /// nested member; never throws for content (only for cancellation).
    /// </summary>
    internal IReadOnlyList<Reading> Dispatch(ScanContext context, Stream stream, string name, long? length)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        if (context.Depth > context.Limits.MaxNestingDepth)
        {
            context.ReportInconclusive(RuleIds.NestingTooDeep, $"Nested deeper than {context.Limits.MaxNestingDepth} levels; not scanned.");
            return Array.Empty<Reading>();
        }

        if (context.Member is { } member)
        {
            context.File.Observer?.Members.Add(member);
        }

        try
        {
            // Recursion through nested members is bounded by MaxNestingDepth; this keeps a stack overflow a finding.
            RuntimeHelpers.EnsureSufficientExecutionStack();
            return ScanReadings(context, stream, name, length);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            ReportFailure(context, "detection", ex);
            return Array.Empty<Reading>();
        }
        finally
        {
            // This member is done: the seekable copies its scanners made are garbage now.
            context.File.ReleaseBuffered(context.Depth);
        }
    }

    /// <summary>Runs every reading that holds; returns the ones that held.</summary>
    private List<Reading> ScanReadings(ScanContext context, Stream stream, string name, long? length)
    {
        var (head, peeked) = PrefixedStream.Peek(stream, FormatDetector.HeadSize);
        if (head.Length == 0)
        {
            ScanEmpty(context, name);
            return new List<Reading>();
        }

        IReadOnlyList<Reading> readings = Registry.Sniff(new SniffInput(head, length, name));
        long start = peeked.CanSeek ? peeked.Position : 0;
        ReplayStream? replay = readings.Count > 1 && !peeked.CanSeek ? new ReplayStream(peeked, context.Limits.MaxReplayBytes) : null;
        Stream source = replay ?? peeked;
        var held = new List<Reading>();
        string? codeRejection = null;
        for (int i = 0; i < readings.Count; i++)
        {
            Reading reading = readings[i];

            // A merely plausible data reading (protobuf has no magic) only competes when nothing definite held.
            if (reading.IsFallback && held.Count > 0)
            {
                continue;
            }

            if (i > 0 && !Rewind(source, replay, start))
            {
                context.ReportInconclusive(RuleIds.LimitExceeded,
                    $"'{name}' also reads as {reading.Format}, but the member could not be read again for that reading (more than {context.Limits.MaxReplayBytes:N0} bytes of a non-seekable stream).",
                    null, nameof(ScanLimits.MaxReplayBytes));
                continue;
            }

            // Alternatives are other definite readings: a fallback (protobuf has no magic) never makes a pickle step aside.
            bool alternatives = readings.Any(r => !ReferenceEquals(r, reading) && !r.IsFallback);
            var input = new ScanInput(source, head, reading, name, length, alternatives);
            if (RunReading(context, input, out string? rejection))
            {
                held.Add(reading);
            }
            else if (reading.Format.IsCodeBearing)
            {
                codeRejection ??= rejection;
            }
        }

        if (held.Count == 0)
        {
            if (context.Depth == 0)
            {
                context.File.SetFormatWithoutReading(ModelFormat.Unknown);
            }

            if (codeRejection is not null && ExtensionCheck.IsModelExtension(name))
            {
                // Bytes that start like a pickle but that CPython rejects before running anything: a broken or
                // truncated model, which a loader fails on. Not Clean: nothing vouches for what was meant.
                context.ReportInconclusive(RuleIds.ParseError, $"'{name}' is not a readable model: {codeRejection}.");
            }
            else if (ExtensionCheck.IsModelExtension(name))
            {
                context.ReportInconclusive(RuleIds.UnknownFormat, $"Content of '{name}' matches no known model format.");
            }
            else if (ExtensionCheck.IsLoaderTextExtension(name))
            {
                // Not UTF-8 (or binary): the text analyzers never saw it, so a template or config in it went unread.
                context.ReportInconclusive(RuleIds.ParseError, $"'{name}' is not UTF-8 text, although its name promises text a loader reads; not analyzed.");
            }
        }

        ExtensionCheck.Report(context, name, held, head);
        if (source.CanSeek && context.Depth == 0)
        {
            // The readings have described their tensors: the polyglot checks' look at the tail would now only be read
            // a second time when the hash catches up.
            (source as HashingStream)?.StopReadingAhead();
            source.Position = start;
            Polyglots.ScanOtherInterpretations(context, source, held, length);
        }

        return held;
    }

    private static bool Rewind(Stream source, ReplayStream? replay, long start)
    {
        if (replay is not null)
        {
            return replay.Rewind();
        }

        source.Position = start;
        return true;
    }

    private static void ScanEmpty(ScanContext context, string name)
    {
        if (context.Depth == 0)
        {
            context.File.SetFormatWithoutReading(ModelFormat.Empty);
        }

        // A zero-byte file where a model is expected is a failed download or a decoy, not a clean model.
        if (ExtensionCheck.IsModelExtension(name))
        {
            context.ReportInconclusive(RuleIds.EmptyModelFile, $"'{name}' is empty although its name promises a model file.");
        }
    }

    /// <summary>Runs one reading under its own guard. False when the reading did not hold (the bytes are not that
    /// format, and a loader of it fails before running anything).</summary>
    private static bool RunReading(ScanContext parent, ScanInput input, out string? rejection)
    {
        rejection = null;
        Reading reading = input.Reading;
        IFormatScanner scanner = reading.Scanner;
        ScanContext context = parent.With(f => f with { Scanner = scanner.Info.Name, Reading = reading });
        try
        {
            if (!scanner.Info.Scans)
            {
                context.ReportInconclusive(RuleIds.FormatNotScanned, $"{input.Format} content is recognised but not scanned by this version.",
                    evidence: input.Format.Name);
            }
            else
            {
                scanner.Scan(input, context);
            }
        }
        catch (NotThisFormatException ex)
        {
            rejection = ex.Message;
            if (context.Depth == 0)
            {
                context.File.ReleaseFormat(reading);
            }

            return false;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            ReportFailure(context, scanner.Info.Name, ex);
        }

        if (context.Depth == 0)
        {
            context.File.ClaimHeldReading(reading);
        }

        return true;
    }

    /// <summary>Turns any failure into an Inconclusive finding for this member: bad input never escapes as an
    /// exception, and a scanner bug never makes a file Clean or hides what was found before it.</summary>
    internal static void ReportFailure(ScanContext context, string scanner, Exception ex)
    {
        switch (ex)
        {
            case ModelFormatException format:
                context.ReportInconclusive(RuleIds.ParseError, $"{scanner}: {format.Message}", format.Offset);
                break;
            case ScanLimitExceededException limit:
                context.ReportInconclusive(RuleIds.LimitExceeded, $"{scanner}: {limit.Message}", limit.Offset, limit.Limit);
                break;
            case EndOfStreamException:
                context.ReportInconclusive(RuleIds.ParseError, $"{scanner}: the data ends early (truncated).");
                break;
            case InvalidDataException or IOException:
                context.ReportInconclusive(RuleIds.ParseError, $"{scanner} could not read the data: {ex.GetType().Name}: {ex.Message}");
                break;

            // The decompressors' own exceptions for corrupt input (InvalidFormatException, ZstdException…) are
            // malformed data too, not a defect of ours.
            case Exception library when library.GetType().Namespace?.StartsWith("SharpCompress", StringComparison.Ordinal) == true:
                context.ReportInconclusive(RuleIds.ParseError, $"{scanner} could not read the data: {ex.GetType().Name}: {ex.Message}");
                break;
            default:
                context.ReportInconclusive(RuleIds.ScannerFault, $"{scanner} failed on this input ({ex.GetType().Name}: {ex.Message}); it was not fully scanned.",
                    null, ex.GetType().Name);
                break;
        }
    }
}
