using System.IO.Compression;
using System.Numerics;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Joblib;

/// <summary>
/// Legacy joblib Z-files (joblib ≤ 0.9 with compress=…; joblib.load still reads them through load_compatibility):
/// 'ZF', a hex length, then a zlib stream holding the pickle. The stream is inflated as it is read, under the
/// expansion budget, and the pickle scanned as joblib's unpickler reads it; arrays it keeps in companion
/// '_NN.npy' files are found and scanned with it (<see cref="JoblibCompanions"/>).
/// </summary>
internal sealed class JoblibZfileScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("joblib-zfile", "JoblibZfile", new[] { JoblibFormats.JoblibZfile });

    public Reading? Sniff(SniffInput input) =>
        ZfileHeader.Parse(input.Head) is not null ? new Reading(JoblibFormats.JoblibZfile, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        var (head, stream) = PrefixedStream.Peek(input.Stream, ZfileHeader.FieldEnd + 1);
        ZfileHeader header = ZfileHeader.Parse(head)
            ?? throw new ModelFormatException("the Z-file length field is not a number joblib reads", 2);
        if (header.DeclaredLength < 0)
        {
            // zlib.decompress rejects a negative buffer size before inflating anything.
            throw new ModelFormatException($"the Z-file declares a negative length ({header.DeclaredLength}); joblib fails on it", 2);
        }

        // The byte after the field was read to look for Python 2's extra space; the data starts after the header.
        stream.Skip(header.DataOffset, context.CancellationToken);
        Stream data = stream;
        Stream raw = new LeaveOpenStream(data);
        long start = stream.CanSeek ? stream.Position : 0;
        Func<long>? consumed = stream.CanSeek ? () => stream.Position - start : null;
        long compressed = input.Length is { } length ? length - header.DataOffset : long.MaxValue / 2;
        using var inflated = new ZLibStream(raw, CompressionMode.Decompress, leaveOpen: true);
        using var guarded = new ExpansionGuardStream(inflated, compressed, context, "Z-file stream", consumed);
        string? folder = JoblibCompanions.FolderOf(context);
        context.ScanChild(input.Name, guarded, null, frame => frame with { InJoblib = true, CompanionFolder = folder });
        CheckLength(header.DeclaredLength, guarded, context);
    }

    // joblib asserts that the stream holds the declared length before it unpickles; only python -O skips the assert.
    private static void CheckLength(BigInteger declared, ExpansionGuardStream inflated, ScanContext context)
    {
        try
        {
            inflated.Skip(long.MaxValue, context.CancellationToken);
        }
        catch (InvalidDataException)
        {
            // A corrupt stream: the pickle's own reading already reported where it broke.
            return;
        }

        long actual = inflated.Position;
        if (declared != actual)
        {
            context.Report(RuleIds.JoblibZfileLengthMismatch,
                $"The Z-file declares {declared:N0} bytes but its zlib stream holds {actual:N0}: joblib's assert refuses it, python -O unpickles it anyway.",
                2, declared.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
