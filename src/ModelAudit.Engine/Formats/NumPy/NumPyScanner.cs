using System.Buffers.Binary;
using System.Text;
using System.Numerics;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.NumPy;

/// <summary>
/// NumPy .npy (versions 1–3): the header dict is parsed as numpy parses it (ast.literal_eval, see
/// <see cref="PythonLiteralParser"/>), so no spelling of the dtype hides from it; an object dtype means the data is a pickle
/// that np.load(allow_pickle=True) runs, so it is flagged and scanned. Numeric data is never
/// read; its length must be shape × item size.
/// </summary>
internal sealed class NumPyScanner : IFormatScanner
{
    private static readonly byte[] s_magic = { 0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59 };

    public ScannerInfo Info { get; } = new("numpy", "NumPy", new[] { NumPyFormats.NumPy });

    public Reading? Sniff(SniffInput input) =>
        input.Head.AsSpan().StartsWith(s_magic) ? new Reading(NumPyFormats.NumPy, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = input.Stream;
        Span<byte> fixedPart = stackalloc byte[12];
        if (stream.ReadAtMost(fixedPart) < 10)
        {
            throw new ModelFormatException("the .npy preamble is truncated", 0);
        }

        byte major = fixedPart[6];
        int headerLength;
        int preamble;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[8..]);
            preamble = 10;
        }
        else if (major is 2 or 3)
        {
            headerLength = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[8..]), int.MaxValue);
            preamble = 12;
        }
        else
        {
            throw new ModelFormatException($"unsupported .npy version {major}", 6);
        }

        if (headerLength > context.Limits.MaxHeaderBytes)
        {
            throw new ModelFormatException($".npy header of {headerLength:N0} bytes is over the limit", 8);
        }

        // The preamble read already holds the header's first bytes (two for v1); numpy cannot parse a dict shorter.
        int alreadyRead = 12 - preamble;
        if (headerLength < alreadyRead)
        {
            throw new ModelFormatException($"the .npy header length {headerLength} is too short for a header", 8);
        }

        byte[] header = new byte[headerLength];
        fixedPart[preamble..12].CopyTo(header);
        if (stream.ReadAtMost(header.AsSpan(alreadyRead)) < headerLength - alreadyRead)
        {
            throw new ModelFormatException("the .npy header is truncated", preamble);
        }

        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        long dataOffset = preamble + headerLength;
        NumPyHeader parsed = NumPyHeader.Parse(text, major, preamble);
        foreach (string anomaly in parsed.Anomalies)
        {
            context.Report(RuleIds.NumPyHeaderCrafted, $"The header {anomaly}; numpy never writes that.", preamble, anomaly);
        }

        NumPyDescr descr = parsed.Descr;
        if (descr.HasObject)
        {
            context.Report(RuleIds.NumPyObjectArray,
                $"The array has an object dtype ({descr.Shown}): its data is a pickle that np.load(allow_pickle=True) runs. It was scanned.", dataOffset, descr.Shown);
            long? remaining = input.Length is { } total ? total - dataOffset : null;
            context.ScanChild("pickle", stream.CanSeek ? new WindowStream(stream, dataOffset, remaining ?? 0) : stream, remaining,
                frame => frame.WithCve("CVE-2019-6446"));
            return;
        }

        if (descr.ItemSize is not { } itemSize)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"The dtype '{descr.Shown}' is not one this version sizes; the data length was not checked.", preamble,
                descr.Shown);
            return;
        }

        if (input.Length is not { } length)
        {
            return;
        }

        BigInteger expected = itemSize;
        foreach (BigInteger dimension in parsed.Shape)
        {
            expected *= dimension;
        }

        long available = length - dataOffset;
        if (expected > available)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"The array data is truncated: {available:N0} of {expected:N0} bytes.", dataOffset);
        }
        else if (expected < available)
        {
            context.Report(RuleIds.TrailingData, $"{available - (long)expected:N0} bytes follow the array data.", dataOffset + (long)expected, "trailing data");
        }
    }
}
