using System.Buffers.Binary;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.ExecuTorch;

/// <summary>
/// ExecuTorch <c>.pte</c> programs, by the layout ExecuTorch's pte file format documents: the flatbuffer root offset,
/// the file identifier "ET" and two digits at offset 4, and the optional extended header "eh" and two digits at
/// offset 8 (its length, the size of the flatbuffer program data, the offset of the first data segment and, in newer
/// files, the segments' size). Those are checked against each other and the file: a program or segment table that
/// runs past the end is what the runtime refuses. The program runs operators and backend delegates the runtime
/// registers; it carries no code of its own, so a well-formed program is data. Operators and delegates are not read.
/// </summary>
internal sealed class ExecuTorchScanner : IFormatScanner
{
    private const int ExtendedHeaderOffset = 8;

    // Magic, length, program size, segment base offset: the fields every extended header has.
    private const int MinimumExtendedHeaderLength = 24;

    public ScannerInfo Info { get; } = new("executorch", "ExecuTorch", new[] { ExecuTorchFormats.Program });

    public Reading? Sniff(SniffInput input) =>
        IsProgram(input.Head) ? new Reading(ExecuTorchFormats.Program, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        ReadOnlySpan<byte> head = input.Head;
        long length = input.Length ?? (input.Stream.CanSeek ? input.Stream.Length : long.MaxValue);
        uint root = BinaryPrimitives.ReadUInt32LittleEndian(head);
        if (root >= length)
        {
            context.Report(RuleIds.ExecuTorchStructureInvalid, $"The flatbuffer root offset {root:N0} lies past the end of the {length:N0}-byte file.", 0, "root");
            return;
        }

        if (head.Length < ExtendedHeaderOffset + MinimumExtendedHeaderLength || head[ExtendedHeaderOffset] != 'e' || head[ExtendedHeaderOffset + 1] != 'h'
            || !char.IsAsciiDigit((char)head[ExtendedHeaderOffset + 2]) || !char.IsAsciiDigit((char)head[ExtendedHeaderOffset + 3]))
        {
            return; // no extended header: the whole file is the flatbuffer program
        }

        ReadOnlySpan<byte> header = head[ExtendedHeaderOffset..];
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        ulong programSize = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        ulong segmentBase = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        if (headerLength < MinimumExtendedHeaderLength)
        {
            context.Report(RuleIds.ExecuTorchStructureInvalid, $"The extended header declares {headerLength} bytes, fewer than its own {MinimumExtendedHeaderLength} fields.", ExtendedHeaderOffset, "extended header");
        }
        else if (programSize > (ulong)length || root >= programSize)
        {
            context.Report(RuleIds.ExecuTorchStructureInvalid,
                $"The program data is declared {programSize:N0} bytes (root at {root:N0}) in a {length:N0}-byte file.", ExtendedHeaderOffset + 8, "program_size");
        }
        else if (segmentBase != 0 && (segmentBase < programSize || segmentBase > (ulong)length))
        {
            context.Report(RuleIds.ExecuTorchStructureInvalid,
                $"The data segments are declared to start at {segmentBase:N0}, outside the {programSize:N0}..{length:N0} bytes after the program.", ExtendedHeaderOffset + 16, "segment_base_offset");
        }
    }

    // "ET" and two digits at offset 4, and a root offset that points past the header into the file's first bytes.
    private static bool IsProgram(byte[] head) =>
        head.Length >= 8 && head[4] == 'E' && head[5] == 'T' && char.IsAsciiDigit((char)head[6]) && char.IsAsciiDigit((char)head[7])
        && BinaryPrimitives.ReadUInt32LittleEndian(head) is >= 8 and < (1u << 30);
}
