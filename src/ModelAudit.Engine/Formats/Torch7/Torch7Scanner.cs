using System.Buffers.Binary;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Torch7;

/// <summary>
/// Lua Torch files (torch.save, binary mode): the top object walked by <see cref="Torch7Walker"/>. Lua functions in the
/// file are what loading can run: each is reported, Critical when its bytecode names os.execute, io.popen,
/// package.loadlib, dofile, loadstring or the FFI. ASCII-mode files are recognised and reported as not read.
/// </summary>
internal sealed class Torch7Scanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("torch7", "Torch7", new[] { Torch7Formats.Torch7 });

    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        if (h.Length >= 15 && BinaryPrimitives.ReadInt32LittleEndian(h) == 4 && BinaryPrimitives.ReadInt32LittleEndian(h[4..]) == 1
            && BinaryPrimitives.ReadInt32LittleEndian(h[8..]) is >= 3 and <= 16 && h[12..].StartsWith("V "u8))
        {
            return new Reading(Torch7Formats.Torch7, this, ReadingStrength.Structural); // a Torch object: "V <version>", then its class
        }

        bool named = input.Name.EndsWith(".t7", StringComparison.OrdinalIgnoreCase) || input.Name.EndsWith(".th", StringComparison.OrdinalIgnoreCase);
        bool binaryTable = h.Length >= 12 && BinaryPrimitives.ReadInt32LittleEndian(h) == 3 && BinaryPrimitives.ReadInt32LittleEndian(h[4..]) == 1;
        bool ascii = h.Length >= 4 && h[0] is (byte)'3' or (byte)'4' && h[1] == '\n' && h[2] == '1' && h[3] == '\n';
        return named && (binaryTable || ascii) ? new Reading(Torch7Formats.Torch7, this, ReadingStrength.Plausible) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        if (input.Head.Length > 0 && input.Head[0] is (byte)'3' or (byte)'4')
        {
            context.ReportInconclusive(RuleIds.FormatNotScanned, "The Torch7 file is in ASCII mode (torch.save(…, 'ascii')), which is recognised but not read.", 0, "Torch7 ascii");
            return;
        }

        var walker = new Torch7Walker(new Torch7Reader(input.Stream, context.CancellationToken));
        try
        {
            walker.Walk();
        }
        finally
        {
            // Functions found before a limit or malformed data stopped the walk are reported; the failure itself is
            // the engine's Inconclusive finding.
            foreach ((long at, string? field, IReadOnlyList<string> names) in walker.Functions)
            {
                string where = field is null ? "" : $" (field '{field}')";
                if (names.Count > 0)
                {
                    context.Report(RuleIds.Torch7FunctionRunsCommands, $"A serialized Lua function{where} names {string.Join(", ", names)}.", at, string.Join(",", names));
                }
                else
                {
                    context.Report(RuleIds.Torch7Function, $"A serialized Lua function{where}: torch.load compiles its bytecode, and the model may call it.", at, field ?? "function");
                }
            }
        }
    }
}
