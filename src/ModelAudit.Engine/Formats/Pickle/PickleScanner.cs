using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Scans a pickle stream — raw pickles under any name, dill, cloudpickle, joblib, PyTorch legacy files — with the
/// symbolic VM. Pickles are read one after another until the data ends, as a loader calling pickle.load in a loop
/// would (sharing one memo, as CPython does); PyTorch legacy storages are skipped by their recorded sizes; what a
/// truncated stream ran before breaking is still reported. A plausible reading that turns out to be bytes CPython
/// rejects before doing anything steps aside for the other readings of the file.
/// </summary>
internal sealed class PickleScanner : IFormatScanner
{
    // PyTorch's legacy-format magic number, the first pickle of such a file.
    private const string LegacyTorchMagic = "119547037146038801333356";

    public ScannerInfo Info { get; } = new("pickle", "Pickle", new[] { PickleFormats.Pickle, PickleFormats.Joblib, PickleFormats.PyTorchLegacy });

    public Reading? Sniff(SniffInput input) =>
        PickleSniffer.IsPlausible(input.Head, input.HeadIsWhole) ? new Reading(PickleFormats.Pickle, this, ReadingStrength.Plausible) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        long start = input.Stream.CanSeek ? input.Stream.Position : -1;
        // Only the linear reading records tensors: the readings below read the same bytes again.
        var analysis = new PickleAnalysis(context, input.Stream, tensors: context.Frame.TorchTensors);
        ScanStreams(new PickleReader(input.Stream), analysis, input, context);

        // An opcode crossed a FRAME's end: _pickle.c over a file without peek() (torch.load's BytesIO) resumes at that
        // end and from there runs other opcodes than the linear reading. The crossing is Critical already; reading the
        // bytes again its way grades what it would import and call as well. (A stream that cannot seek back is left
        // with the crossing's finding.)
        if (start < 0)
        {
            return;
        }

        if (analysis.SawFrameViolation)
        {
            ReadAgain(start, readsLikeCFile: true, input, context, new PickleAnalysis(context, input.Stream,
                "(Found reading the file as _pickle.c reads one without peek(): it resumes at the end of a FRAME that an opcode crosses.)"));
        }

        // A STOP before its frame's end: pickle._Unpickler (joblib's unpickler) starts the next load() at the frame's
        // end, where the linear reading goes on inside the frame.
        if (analysis.StoppedInsideFrame)
        {
            ReadAgain(start, readsLikeCFile: false, input, context, new PickleAnalysis(context, input.Stream,
                "(Found reading the file as pickle._Unpickler does: each load() starts at the end of the FRAME the previous one stopped in.)"),
                resumeAtFrameEnd: true);
        }

        // pickle.load on a joblib dump (joblib names them .pkl too) reads the array bytes joblib skips as opcodes.
        if (analysis.SawJoblibWrapper)
        {
            ReadAgain(start, readsLikeCFile: false, input, context, new PickleAnalysis(context, input.Stream,
                "(Found reading the joblib dump as pickle.load reads it: the array bytes joblib reads as data are opcodes there.)", plainPickle: true));
        }
    }

    // The linear reading: pickle.loads, and a file object with peek() (open(path, 'rb')), read the bytes in order.
    private static void ScanStreams(PickleReader reader, PickleAnalysis analysis, ScanInput input, ScanContext context)
    {
        var memo = new PickleMemo();
        int findingsBefore = context.File.Findings.Count;
        bool legacyTorch = false;
        ScanContext streams = context;
        for (int index = 0; ; index++)
        {
            if (index >= context.Limits.MaxPickleStreams)
            {
                context.ReportInconclusive(RuleIds.LimitExceeded,
                    $"More than {context.Limits.MaxPickleStreams:N0} pickles follow one another; the rest were not scanned.", reader.Position,
                    nameof(ScanLimits.MaxPickleStreams));
                return;
            }

            long start = reader.Position;
            // Only for a file of its own: inside an archive the loader may be torch.load, whose unpickler has a
            // persistent_load (a torch data.pkl that also reads as text must stay a pickle).
            analysis.BeginStream(rejectPersistentIds: index == 0 && input.Alternatives && context.Depth == 0);
            var machine = new PickleMachine(reader, analysis, context.Limits, context.CancellationToken, memo);
            PValue result;
            try
            {
                result = machine.Run();
            }
            catch (Exception ex) when (ex is EndOfStreamException or PickleRejectedException)
            {
                // CPython stops here too. A first stream that did nothing a loader acts on is not a pickle at all; a
                // later one is data after the last pickle.
                // Imports of unknown modules before the failure are still reported (CPython imported them), but do
                // not make the file a pickle that ran something.
                bool consequential = analysis.StreamHadConsequence;
                analysis.FinishStream(report: consequential || analysis.StreamImportedUnknown || index == 0 && !input.Alternatives);
                if (!consequential && index == 0)
                {
                    throw new NotThisFormatException($"not a pickle: {ex.Message}");
                }

                if (!consequential)
                {
                    ScanTrailingData(reader, input, context, start);
                    return;
                }

                MarkPickleEnd(context, reader);
                context.ReportInconclusive(RuleIds.ParseError, ex is EndOfStreamException
                    ? "The pickle ends before its STOP opcode (truncated); what it would have run until then is reported."
                    : $"The pickle is malformed after what it would have run ({ex.Message}); what came before is reported.", reader.Position);
                return;
            }

            MarkPickleEnd(context, reader);
            analysis.FinishStream(report: true);
            analysis.StoppedInsideFrame |= machine.OpenFrameEnd >= 0;
            if (index == 0)
            {
                legacyTorch = result.Kind == PValueKind.Int && result.Scalar as string == LegacyTorchMagic;
                context.SetFormat(legacyTorch ? PickleFormats.PyTorchLegacy : analysis.SawJoblibWrapper ? PickleFormats.Joblib : PickleFormats.Pickle);
                if (legacyTorch)
                {
                    // torch.load runs these pickles; weights_only=True was bypassable before 2.6 (CVE-2025-32434).
                    analysis.AddCve("CVE-2025-32434");
                }
            }

            if (reader.AtEnd)
            {
                break;
            }

            if (legacyTorch && index >= 4 && result.Kind == PValueKind.List)
            {
                SkipLegacyStorages(reader, analysis, result, context);
                legacyTorch = false;
                if (reader.AtEnd)
                {
                    break;
                }
            }
        }

        // A plausible reading whose pickles only build plain data runs nothing: when the bytes are also something
        // else, that reading speaks for them.
        if (input.Alternatives && !analysis.AnyConsequence && context.File.Findings.Count == findingsBefore)
        {
            throw new NotThisFormatException("a pickle of plain data that is also another format");
        }
    }

    // Another reading of the bytes: every stream again from the start, the way one of CPython's readers reads them. It
    // stops where that reader stops; what it ran before is reported, as in the linear reading, in the same findings
    // (the same finding at the same offset is kept once).
    private static void ReadAgain(long start, bool readsLikeCFile, ScanInput input, ScanContext context, PickleAnalysis analysis,
        bool resumeAtFrameEnd = false)
    {
        input.Stream.Position = start;
        var reader = new PickleReader(input.Stream, readsLikeCFile: readsLikeCFile);
        var memo = new PickleMemo();
        for (int index = 0; !reader.AtEnd; index++)
        {
            if (index >= context.Limits.MaxPickleStreams)
            {
                context.ReportInconclusive(RuleIds.LimitExceeded,
                    $"More than {context.Limits.MaxPickleStreams:N0} pickles follow one another in another reading of the file; the rest were not scanned.",
                    reader.Position, nameof(ScanLimits.MaxPickleStreams));
                return;
            }

            analysis.BeginStream();
            var machine = new PickleMachine(reader, analysis, context.Limits, context.CancellationToken, memo);
            try
            {
                machine.Run();
            }
            catch (Exception ex) when (ex is EndOfStreamException or ModelFormatException)
            {
                analysis.FinishStream(report: analysis.StreamHadConsequence || analysis.StreamImportedUnknown);
                return;
            }

            analysis.FinishStream(report: true);
            if (resumeAtFrameEnd && machine.OpenFrameEnd is var frameEnd and >= 0)
            {
                reader.Skip(frameEnd - reader.Position, context.CancellationToken);
            }
        }
    }

    // Where the pickle a loader runs ends (the last stream that held or ran something): a zip found by its end record
    // before this offset is an argument of the pickle, one after it a second interpretation of the file.
    private static void MarkPickleEnd(ScanContext context, PickleReader reader)
    {
        if (context.Depth == 0)
        {
            context.File.PickleEnd = reader.Position;
        }
    }

    // PyTorch legacy: after the storage-key list, each storage is an 8-byte element count and its raw bytes. Each
    // tensor of the pickle that lies in a storage is described where its bytes are, before they are skipped.
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
            if (key.AsString is not { } k || !byKey.TryGetValue(k, out string? type) || TorchStorageTypes.ElementSize(type) is not { } size)
            {
                throw new ModelFormatException($"PyTorch legacy storage '{key.Render(40)}' has no known type", reader.Position);
            }

            long count = (long)Math.Min(reader.ReadUInt64(), long.MaxValue);
            if (count > long.MaxValue / size)
            {
                throw new ModelFormatException($"PyTorch legacy storage '{k}' claims {count:N0} elements", reader.Position);
            }

            TorchTensorRegions.Report(analysis.TorchTensors.InStorage(k), reader.Position, count * size, true, context);
            reader.Skip(count * size, context.CancellationToken);
        }
    }

    // Bytes after the last pickle are ignored by pickle.load, which makes them a hiding place: look for a pickle in
    // all of them (a linear search for PROTO, each candidate sniffed by the VM).
    private static void ScanTrailingData(PickleReader reader, ScanInput input, ScanContext context, long start)
    {
        long? total = reader.Length;
        if (!reader.CanSeek || total is null)
        {
            context.Report(RuleIds.TrailingData, "Data follows the last pickle STOP opcode.", start, "trailing data");
            return;
        }

        if (TrailingPickle.Find(input.Stream, start, total.Value, context.CancellationToken) is { } at)
        {
            context.Report(RuleIds.PickleStructureAnomaly,
                $"A pickle is hidden at offset {at}, after {at - start:N0} bytes of other data following a STOP opcode; it was scanned.", at, "hidden pickle");
            context.ScanChild($"pickle@{at}", new IO.WindowStream(input.Stream, at, total.Value - at), total.Value - at);
            return;
        }

        context.Report(RuleIds.TrailingData, $"{total.Value - start:N0} bytes follow the last pickle STOP opcode.", start, "trailing data");
    }
}
