using System.Buffers.Text;
using System.Text;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;

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
            _context.AnalyzeText(text, "a pickle string", value.PayloadOffset);
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
            _context.Report(RuleIds.MarshalledCode, $"A {value.Length:N0}-byte argument is a marshalled code object.", value.PayloadOffset, "marshal");
        }

        if (value.Kind != PValueKind.Bytes)
        {
            return;
        }

        if (IsCompressed(prefix) && _stream is { CanSeek: true } compressedSource)
        {
            // A compressed blob as an argument: what it expands to is scanned (its own findings, if any, are reported).
            _context.ScanChild($"compressed@{value.PayloadOffset}", new WindowStream(compressedSource, value.PayloadOffset, value.Length), value.Length);
            return;
        }

        if (!PickleSniffer.LooksLikePickle(prefix, null, minimumOpcodes: 8))
        {
            return;
        }

        if (_stream is { CanSeek: true } stream)
        {
            _context.Report(RuleIds.EmbeddedPickle, $"A {value.Length:N0}-byte bytes argument is itself a pickle; it was scanned.", value.PayloadOffset, "pickle");
            _context.ScanChild($"pickle@{value.PayloadOffset}", new WindowStream(stream, value.PayloadOffset, value.Length), value.Length);
        }
        else
        {
            _context.ReportInconclusive(RuleIds.ParseError,
                $"A {value.Length:N0}-byte bytes argument looks like a pickle but this stream cannot be re-read to scan it.", value.PayloadOffset);
        }
    }

    /// <summary>The stream the VM reads, for windows over skipped payloads (set by the scanner).</summary>
    private Stream? _stream;

    public void AttachStream(Stream stream) => _stream = stream;

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
            _context.Report(RuleIds.MarshalledCode, $"A {data.Length:N0}-byte {what} value is a marshalled code object.", offset, "marshal");
        }

        if (PickleSniffer.IsCompletePickle(data))
        {
            ReportNested(data, offset, "bytes");
        }
        else if (IsCompressed(data))
        {
            _context.ScanChild($"compressed@{offset}", new MemoryStream(data, writable: false), data.Length);
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
        _context.Report(RuleIds.EmbeddedPickle, $"A {encoding} value at offset {offset} holds a {data.Length:N0}-byte pickle; it was scanned.", offset, encoding,
            severity: encoding == "bytes" ? Severity.Info : null);
        _context.ScanChild($"{encoding}@{offset}", new MemoryStream(data, writable: false), data.Length);
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
