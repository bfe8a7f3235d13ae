using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.NumPy;

/// <summary>
/// NumPy .npy (versions 1–3): the header is parsed as numpy does; an object dtype means the data is a pickle
/// that np.load(allow_pickle=True) runs, so it is flagged and scanned. Numeric data is never read.
/// </summary>
internal sealed partial class NumPyScanner : IFormatScanner
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

        byte[] header = new byte[headerLength];
        int alreadyRead = 12 - preamble;
        fixedPart[preamble..12].CopyTo(header);
        if (stream.ReadAtMost(header.AsSpan(alreadyRead)) < headerLength - alreadyRead)
        {
            throw new ModelFormatException("the .npy header is truncated", preamble);
        }

        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        long dataOffset = preamble + headerLength;
        if (!text.TrimEnd().EndsWith('}') || DescrRegex().Match(text) is not { Success: true } descrMatch)
        {
            throw new ModelFormatException("the .npy header is not a dict with 'descr' (wrong HEADER_LEN?)", preamble);
        }

        string descr = descrMatch.Groups["s"].Success ? descrMatch.Groups["s"].Value : descrMatch.Groups["l"].Value;
        bool hasObject = descrMatch.Groups["l"].Success ? ObjectFieldRegex().IsMatch(descr) : NumpyDtype.Parse(descr)?.HasObject == true;
        if (hasObject)
        {
            context.Report(RuleIds.NumPyObjectArray,
                $"The array has an object dtype ({descr}): its data is a pickle that np.load(allow_pickle=True) runs. It was scanned.", dataOffset, descr);
            long? remaining = input.Length is { } total ? total - dataOffset : null;
            context.ScanChild("pickle", stream.CanSeek ? new WindowStream(stream, dataOffset, remaining ?? 0) : stream, remaining,
                frame => frame.WithCve("CVE-2019-6446"));
            return;
        }

        if (input.Length is { } length && ShapeRegex().Match(text) is { Success: true } shapeMatch && NumpyDtype.Parse(descr) is { } dtype)
        {
            long expected = dtype.ItemSize;
            foreach (string dim in shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!long.TryParse(dim.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                {
                    return;
                }

                expected = n == 0 ? 0 : expected > long.MaxValue / n ? long.MaxValue : expected * n;
            }

            long available = length - dataOffset;
            if (expected > available)
            {
                context.ReportInconclusive(RuleIds.ParseError, $"The array data is truncated: {length - dataOffset:N0} of {expected:N0} bytes.", dataOffset);
            }
            else if (expected < available)
            {
                context.Report(RuleIds.TrailingData, $"{length - dataOffset - expected:N0} bytes follow the array data.", dataOffset + expected,
                    "trailing data");
            }
        }
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*(?:['""](?<s>[^'""]*)['""]|(?<l>\[.*\]))", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"['""][<>|=]?O\d*['""]", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectFieldRegex();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)", RegexOptions.CultureInvariant)]
    private static partial Regex ShapeRegex();
}
