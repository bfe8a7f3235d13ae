using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Scans a pickle stream — raw pickles under any name, dill, cloudpickle, joblib, PyTorch legacy files — with the
/// symbolic VM. Every concatenated pickle is scanned; PyTorch legacy storages are skipped by their recorded sizes
/// so pickles hidden after them are found; what a truncated stream ran before breaking is still reported.
/// </summary>
internal sealed class PickleScanner : IFormatScanner
{
    // PyTorch's legacy-format magic number, the first pickle of such a file.
    private const string LegacyTorchMagic = "119547037146038801333356";
    private const int MaxStreams = 100_000;
    private const int ResyncWindow = 1 << 20;

    public string Name => "Pickle";

    public IReadOnlyList<ModelFormat> Formats { get; } = new[] { ModelFormat.Pickle };

    public void Scan(ScanInput input, ScanContext context)
    {
        var reader = new PickleReader(input.Stream);
        var analysis = new PickleAnalysis(context);
        analysis.AttachStream(input.Stream);
        bool legacyTorch = false;
        int hints = context.CveHints.Count;
        try
        {
            ScanStreams(input, context, reader, analysis, ref legacyTorch);
        }
        finally
        {
            context.CveHints.RemoveRange(hints, context.CveHints.Count - hints);
        }
    }

    private static void ScanStreams(ScanInput input, ScanContext context, PickleReader reader, PickleAnalysis analysis, ref bool legacyTorch)
    {
        PValue? lastResult = null;
        for (int index = 0; index < MaxStreams; index++)
        {
            var machine = new PickleMachine(reader, analysis, context.Limits, context.CancellationToken);
            try
            {
                lastResult = machine.Run();
            }
            catch (EndOfStreamException)
            {
                context.ReportInconclusive(RuleIds.ParseError,
                    "The pickle ends before its STOP opcode (truncated); what it would have run until then is reported.", reader.Position);
                return;
            }
            finally
            {
                analysis.FinishStream();
                if (context.Depth == 0)
                {
                    context.PickleEnd = reader.Position;
                }
            }

            if (index == 0)
            {
                legacyTorch = lastResult.Kind == PValueKind.Int && lastResult.Scalar as string == LegacyTorchMagic;
                if (legacyTorch)
                {
                    context.CveHints.Add("CVE-2025-32434");
                }

                context.SetFormat(legacyTorch ? ModelFormat.PyTorchLegacy : analysis.SawJoblibWrapper ? ModelFormat.Joblib : ModelFormat.Pickle);
            }

            if (reader.AtEnd)
            {
                return;
            }

            if (legacyTorch && index >= 4 && lastResult.Kind == PValueKind.List)
            {
                SkipLegacyStorages(reader, analysis, lastResult, context);
                if (reader.AtEnd)
                {
                    return;
                }

                legacyTorch = false;
            }

            if (!StartsPickle(reader))
            {
                ScanTrailingData(reader, input, context);
                return;
            }
        }
    }

    private static bool StartsPickle(PickleReader reader)
    {
        int next = reader.PeekByte();
        return next == (byte)PickleOpcode.Proto || next is '(' or ']' or '}' or ')' or 'c' or 'N' or 'I' or 'K' or 'J' or 'M' or 'X' or 'V' or 'S';
    }

    // PyTorch legacy: after the storage-key list, each storage is an 8-byte element count and its raw bytes.
    private static void SkipLegacyStorages(PickleReader reader, PickleAnalysis analysis, PValue keys, ScanContext context)
    {
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, type, _) in analysis.Storages)
        {
            byKey.TryAdd(key, type);
        }

        if (keys.Items is null || keys.Items.Count != keys.Count)
        {
            throw new ModelFormatException("PyTorch legacy storage list too long to follow", reader.Position);
        }

        foreach (PValue key in keys.Items)
        {
            if (key.AsString is not { } k || !byKey.TryGetValue(k, out string? type) || StorageElementSize(type) is not { } size)
            {
                throw new ModelFormatException($"PyTorch legacy storage '{key.Render(40)}' has no known type", reader.Position);
            }

            long count = (long)reader.ReadUInt64();
            reader.Skip(checked(count * size), context.CancellationToken);
        }
    }

    private static int? StorageElementSize(string storageType) => storageType switch
    {
        "DoubleStorage" or "LongStorage" or "ComplexFloatStorage" => 8,
        "FloatStorage" or "IntStorage" => 4,
        "HalfStorage" or "ShortStorage" or "BFloat16Storage" => 2,
        "ByteStorage" or "CharStorage" or "BoolStorage" or "QUInt8Storage" or "QInt8Storage" => 1,
        "QInt32Storage" => 4,
        "ComplexDoubleStorage" => 16,
        _ => null,
    };

    // Bytes after the last STOP are ignored by pickle.load, which makes them a hiding place: look for a pickle in them.
    private static void ScanTrailingData(PickleReader reader, ScanInput input, ScanContext context)
    {
        long start = reader.Position;
        long? total = reader.Length;
        if (!reader.CanSeek || total is null)
        {
            context.Report(RuleIds.PickleStructureAnomaly, "Data follows the last pickle STOP opcode.", start, severity: Severity.Info);
            return;
        }

        int window = (int)Math.Min(ResyncWindow, total.Value - start);
        byte[] tail = new byte[window];
        input.Stream.Position = start;
        int read = IO.StreamExtensions.ReadAtMost(input.Stream, tail);
        for (int i = 0; i + 1 < read; i++)
        {
            if (tail[i] == (byte)PickleOpcode.Proto && tail[i + 1] is >= 2 and <= 5
                && PickleSniffer.LooksLikePickle(tail.AsSpan(i, Math.Min(read - i, 8192)), total.Value - start - i, minimumOpcodes: 4))
            {
                long at = start + i;
                context.Report(RuleIds.PickleStructureAnomaly,
                    $"A pickle is hidden at offset {at}, after {i:N0} bytes of other data following a STOP opcode; it was scanned.", at, "hidden pickle");
                context.ScanChild($"pickle@{at}", new IO.WindowStream(input.Stream, at, total.Value - at), total.Value - at);
                return;
            }
        }

        context.Report(RuleIds.PickleStructureAnomaly, $"{total.Value - start:N0} bytes follow the last pickle STOP opcode.", start, severity: Severity.Info);
    }
}
