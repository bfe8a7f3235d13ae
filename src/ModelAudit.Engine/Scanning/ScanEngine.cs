using System.Diagnostics;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// The scan pipeline for one file: open → detect from content → format scanner (+ analyzers) → containers
/// recurse through <see cref="Dispatch"/> → one <see cref="ModelScanResult"/>. Thread-safe: one engine serves
/// parallel scans, each with its own <see cref="ScanContext"/>.
/// </summary>
public sealed class ScanEngine
{
    /// <summary>How many leading bytes detection looks at.</summary>
    internal const int HeadSize = 8192;

    public ScanEngine(ScanOptions options)
    {
        Options = options;
    }

    public ScanOptions Options { get; }

    internal ScannerRegistry Registry { get; } = ScannerRegistry.Default;

    /// <summary>Scans one item. Never throws for bad content; throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> is cancelled (a per-file timeout is reported as a finding instead).</summary>
    public ModelScanResult Scan(ScanItem item, CancellationToken cancellationToken) => Scan(item, cancellationToken, null);

    internal ModelScanResult Scan(ScanItem item, CancellationToken cancellationToken, List<PickleTraceEntry>? trace)
    {
        var stopwatch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (Options.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        var context = new ScanContext(this, item.Path, Options, timeout.Token) { Trace = trace };
        var errors = new List<string>();
        string? sha256 = null;
        long size = item.Length ?? 0;

        if (Options.MaxFileSize is { } max && item.Length > max)
        {
            context.ReportInconclusive(RuleIds.FileTooLarge, $"File is {item.Length:N0} bytes, over the {max:N0}-byte limit; not scanned.");
            return Finish(item, context, null, size, stopwatch, errors);
        }

        Stream raw;
        try
        {
            raw = item.OpenRead();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(ex.Message);
            return new ModelScanResult(item.Path, ModelFormat.Unknown.ToString(), size, null, ScanOutcome.Error,
                Array.Empty<ModelFinding>(), stopwatch.Elapsed, errors);
        }

        using (raw)
        {
            HashingStream? hashing = !Options.SkipHash && raw.CanSeek ? new HashingStream(raw) : null;
            Stream stream = hashing ?? raw;
            try
            {
                if (raw.CanSeek)
                {
                    size = raw.Length;
                }

                Dispatch(context, stream, System.IO.Path.GetFileName(item.Path), raw.CanSeek ? raw.Length : item.Length);
                sha256 = hashing?.Finish(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                context.ReportInconclusive(RuleIds.Timeout, $"Scan stopped after the {Options.Timeout?.TotalSeconds:0.#}-second limit.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add(ex.Message);
            }
        }

        return Finish(item, context, sha256, size, stopwatch, errors);
    }

    private static ModelScanResult Finish(ScanItem item, ScanContext context, string? sha256, long size, Stopwatch stopwatch, List<string> errors)
    {
        ScanOutcome outcome =
            context.Findings.Any(f => f.Severity >= Severity.Warning) ? ScanOutcome.Issues
            : errors.Count > 0 ? ScanOutcome.Error
            : context.IsInconclusive ? ScanOutcome.Inconclusive
            : ScanOutcome.Clean;
        return new ModelScanResult(item.Path, context.Format.ToString(), size, sha256, outcome,
            context.Findings.ToArray(), stopwatch.Elapsed, errors);
    }

    /// <summary>Detects the format of <paramref name="stream"/> and runs its scanner. Called for the file and for every nested member.</summary>
    internal void Dispatch(ScanContext context, Stream stream, string name, long? length)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        if (context.Depth > context.Limits.MaxNestingDepth)
        {
            context.ReportInconclusive(RuleIds.NestingTooDeep, $"Nested deeper than {context.Limits.MaxNestingDepth} levels; not scanned.");
            return;
        }

        var (head, peeked) = PrefixedStream.Peek(stream, HeadSize);
        ModelFormat format = FormatDetector.Detect(head, length, name);
        context.SetFormat(format);
        ExtensionCheck.Report(context, name, format, head);

        var input = new ScanInput(peeked, head, format, name, length);
        IFormatScanner? scanner = Registry.ScannerFor(format);
        if (scanner is not null)
        {
            string saved = context.Scanner;
            context.Scanner = scanner.Name;
            try
            {
                RunScanner(context, scanner, input);
            }
            finally
            {
                context.Scanner = saved;
            }
        }
        else if (format == ModelFormat.Unknown)
        {
            if (ExtensionCheck.IsModelExtension(name))
            {
                context.ReportInconclusive(RuleIds.UnknownFormat, $"Content of '{name}' matches no known model format.");
            }
        }
        else if (format != ModelFormat.Empty)
        {
            context.ReportInconclusive(RuleIds.FormatNotScanned, $"{format} content is recognised but not scanned by this version.", evidence: format.ToString());
        }

        if (peeked.CanSeek && context.Depth == 0)
        {
            Containers.Polyglots.ScanOtherInterpretations(context, input, this);
        }
    }

    /// <summary>Runs a scanner and turns its typed failures into findings, so bad input never escapes as an exception.</summary>
    private static void RunScanner(ScanContext context, IFormatScanner scanner, ScanInput input)
    {
        try
        {
            scanner.Scan(input, context);
        }
        catch (ModelFormatException ex)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"{scanner.Name}: {ex.Message}", ex.Offset);
        }
        catch (ScanLimitExceededException ex)
        {
            context.ReportInconclusive(RuleIds.LimitExceeded, $"{scanner.Name}: {ex.Message}", ex.Offset, ex.Limit);
        }
        catch (EndOfStreamException)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"{scanner.Name}: the data ends early (truncated).");
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or FormatException or ArgumentException
            or InvalidOperationException or OverflowException or IndexOutOfRangeException or NullReferenceException
            or OutOfMemoryException or InsufficientExecutionStackException
            || ex.GetType().Namespace?.StartsWith("SharpCompress", StringComparison.Ordinal) == true)
        {
            // A scanner bug or a library's view of malformed input: coverage is incomplete, never a crash or a Clean.
            context.ReportInconclusive(RuleIds.ParseError, $"{scanner.Name} could not finish: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
