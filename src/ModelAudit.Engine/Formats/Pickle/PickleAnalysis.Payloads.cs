using System.Buffers.Text;
using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>Payloads inside a pickle: nested pickles (raw, base64, hex), marshalled code, and loader arguments.</summary>
internal sealed partial class PickleAnalysis
{
    private const int MinEncodedLength = 24;

    public void OnConstant(PValue value)
    {
        if (value.Kind == PValueKind.Bytes)
        {
            InspectBytes(value.Data!, value.PayloadOffset, "bytes");
        }
        else if (value.AsString is { Length: >= MinEncodedLength } text)
        {
            _context.Analyze(new ContentFragment(text, "pickle string", ContentKind.PickleString, value.PayloadOffset));
            if (TryDecodeBase64(text) is { } decoded && PickleSniffer.IsCompletePickle(decoded))
            {
                ReportNested(decoded, value.PayloadOffset, "base64");
            }
            else if (TryDecodeHex(text) is { } hex && PickleSniffer.IsCompletePickle(hex))
            {
                ReportNested(hex, value.PayloadOffset, "hex");
            }
        }
    }

    public void OnLargePayload(PValue value)
    {
        byte[] prefix = value.Data ?? Encoding.Latin1.GetBytes(value.AsString ?? "");
        if (MarshalSniffer.LooksLikeCode(prefix))
        {
            Report(RuleIds.MarshalledCode, $"A {value.Length:N0}-byte argument is a marshalled code object.", value.PayloadOffset, "marshal");
        }

        if (value.Kind != PValueKind.Bytes)
        {
            return;
        }

        if (IsCompressed(prefix) && _stream is { CanSeek: true } compressedSource)
        {
            // A compressed blob as an argument: what it expands to is scanned (its own findings, if any, are reported).
            _context.ScanChild($"compressed@{value.PayloadOffset}", new WindowStream(compressedSource, value.PayloadOffset, value.Length), value.Length, Speculative);
            return;
        }

        if (!PickleSniffer.LooksLikePickle(prefix, null, minimumOpcodes: 8))
        {
            return;
        }

        if (_stream is { CanSeek: true } stream)
        {
            Report(RuleIds.EmbeddedPickle, $"A {value.Length:N0}-byte bytes argument is itself a pickle; it was scanned.", value.PayloadOffset, "pickle");
            _context.ScanChild($"pickle@{value.PayloadOffset}", new WindowStream(stream, value.PayloadOffset, value.Length), value.Length, Speculative);
        }
        else
        {
            _context.ReportInconclusive(RuleIds.ParseError,
                $"A {value.Length:N0}-byte bytes argument looks like a pickle but this stream cannot be re-read to scan it.", value.PayloadOffset);
        }
    }

    // Bytes scanned because of what they look like, not because a loader call decodes them.
    private static ScanFrame Speculative(ScanFrame frame) => frame with { Speculative = true };

    // Payload offsets already scanned as nested pickles, so a loader argument is not scanned twice.
    private readonly HashSet<long> _scannedPayloads = new();

    // Loader arguments: pickle.loads(b'…'), dill.loads(…) — scan what they would load. Only whole pickles: a loader
    // fails on anything else, and code objects' byte strings (dill, cloudpickle) are not pickles at all.
    private void InspectDangerousArguments(DangerKind kind, PValue call)
    {
        if (kind != DangerKind.NestedDeserialization)
        {
            return;
        }

        foreach (PValue arg in call.Args?.Items ?? new List<PValue>())
        {
            byte[]? data = arg.Kind switch
            {
                PValueKind.Bytes when !arg.IsPartial => arg.Data,
                PValueKind.Str when !arg.IsPartial => Encoding.Latin1.GetBytes(arg.AsString!),
                _ => null,
            };
            if (data is not null && !_scannedPayloads.Contains(arg.PayloadOffset) && PickleSniffer.IsCompletePickle(data))
            {
                _scannedPayloads.Add(arg.PayloadOffset);
                _context.ScanChild($"pickle@{arg.PayloadOffset}", new MemoryStream(data, writable: false), data.Length);
            }
        }
    }

    private void InspectBytes(byte[] data, long offset, string what)
    {
        if (data.Length < 4)
        {
            return;
        }

        if (MarshalSniffer.LooksLikeCode(data))
        {
            Report(RuleIds.MarshalledCode, $"A {data.Length:N0}-byte {what} value is a marshalled code object.", offset, "marshal");
        }

        if (PickleSniffer.IsCompletePickle(data))
        {
            ReportNested(data, offset, "bytes");
        }
        else if (IsCompressed(data))
        {
            _context.ScanChild($"compressed@{offset}", new MemoryStream(data, writable: false), data.Length, Speculative);
        }
    }

    // Strong compression magics only (gzip, bzip2, xz, zstd, LZ4 frame): a two-byte zlib header is too common in raw data.
    // Checked on every bytes constant (array data included), so magic bytes only, no full detection.
    private static bool IsCompressed(ReadOnlySpan<byte> data) => Detection.CompressionMagic.Identify(data) is not null;

    private void ReportNested(byte[] data, long offset, string encoding)
    {
        _scannedPayloads.Add(offset);

        // Raw bytes holding a pickle are real library output (torch storages pickled by plain pickle): what the inner
        // pickle does is graded on its own. Encoding a pickle as text has no such use.
        Report(encoding == "bytes" ? RuleIds.PickleInBytes : RuleIds.EmbeddedPickle,
            $"A {encoding} value at offset {offset} holds a {data.Length:N0}-byte pickle; it was scanned.", offset, encoding);
        _context.ScanChild($"{encoding}@{offset}", new MemoryStream(data, writable: false), data.Length);
    }

    // pickle.dumps(tensor) writes torch.storage._load_from_bytes(<torch.save bytes>): real library output, but a
    // nested torch.load. The bytes are scanned as the file they are, and the call itself is not an alarm when they
    // read as a pickle or an archive (anything hidden inside is reported under the member). Bytes that cannot be
    // re-read, or that read as nothing torch.load understands, keep the call's own Critical finding.
    private bool ScanTorchStorageBytes(PValue callable, PValue call, ImportRecord record)
    {
        if (callable.Module != "torch.storage" || callable.Name != "_load_from_bytes" || call.Args?.Item(0) is not { Kind: PValueKind.Bytes } payload)
        {
            return false;
        }

        if (_scannedPayloads.Contains(payload.PayloadOffset))
        {
            record.Reported = true; // already scanned as an embedded pickle
            return true;
        }

        IReadOnlyList<Reading> held;
        if (!payload.IsPartial)
        {
            held = _context.ScanChild($"torch.load@{payload.PayloadOffset}", new MemoryStream(payload.Data!, writable: false), payload.Data!.Length);
        }
        else if (_stream.CanSeek)
        {
            held = _context.ScanChild($"torch.load@{payload.PayloadOffset}", new WindowStream(_stream, payload.PayloadOffset, payload.Length), payload.Length);
        }
        else
        {
            return false;
        }

        _scannedPayloads.Add(payload.PayloadOffset);
        if (!held.Any(r => r.Format.IsCodeBearing))
        {
            return false;
        }

        record.Reported = true;
        return true;
    }

    private static byte[]? TryDecodeBase64(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Length % 4 != 0 || trimmed.Length > 16 << 20)
        {
            return null;
        }

        byte[] ascii = Encoding.ASCII.GetBytes(trimmed);
        if (!Base64.IsValid(ascii, out int decodedLength) || decodedLength < 4)
        {
            return null;
        }

        // A pickle starts with PROTO (0x80) — base64 'g' — or a protocol-0 opcode; check before decoding everything.
        byte[] output = new byte[decodedLength];
        return Convert.TryFromBase64String(trimmed, output, out int written) ? output.AsSpan(0, written).ToArray() : null;
    }

    private static byte[]? TryDecodeHex(string text)
    {
        string t = text.Replace("\\x", "", StringComparison.Ordinal).Trim();
        if (t.Length % 2 != 0 || t.Length < MinEncodedLength || t.Length > 16 << 20 || !t.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return Convert.FromHexString(t);
    }
}
