using System.Buffers.Binary;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Executable;

/// <summary>
/// Finds the model an executable carries: a llamafile is a native program with a zip appended (its .gguf weights
/// stored in it), other packagers append or embed a raw GGUF. The executable is then reported as an executable
/// model (<see cref="RuleIds.ExecutableModel"/>) and the model is scanned: the zip by the polyglot pass (or here,
/// inside an archive, where that pass does not run), a raw GGUF as a child member.
/// </summary>
internal static class EmbeddedModelFinder
{
    // A window large enough that a magic split between two reads is still seen whole.
    private const int ChunkSize = 1 << 20;

    // The header fields read to confirm a GGUF magic: magic, version, two counts, the first key's length and a key.
    private const int CandidateBytes = 4 + 4 + 8 + 8 + 8 + 64;

    // Real models have up to tens of thousands of tensors and a few dozen keys; the string "GGUF" in a program's
    // own code (llama.cpp's loader has it) is followed by bytes that fail these bounds.
    private const ulong MaxCandidateTensors = 1 << 24;
    private const ulong MaxCandidateKeys = 1 << 20;
    private const ulong MaxCandidateKeyLength = 256;

    public static void Scan(Stream stream, long? length, string format, ScanContext context)
    {
        if (!stream.CanSeek || length is not { } total)
        {
            return;
        }

        long origin = stream.Position;
        if (ZipEndRecord.Find(new WindowStream(stream, origin, total)) is { } end)
        {
            context.Report(RuleIds.ExecutableModel,
                $"The {format} executable carries a zip archive (end record at offset {end.Offset:N0}), as a llamafile carries its weights; the archive members were scanned.",
                0, $"{format}+Zip");
            if (context.Depth > 0)
            {
                // The polyglot pass covers the file itself; inside an archive the embedded zip is scanned here.
                var window = new WindowStream(stream, origin, total);
                ZipScanner zip = context.File.Engine.Registry.Get<ZipScanner>();
                context.Guarded("Zip", () => zip.ScanEmbedded(window, ZipDirectory.Read(window, end, context.Limits), context));
            }

            stream.Position = origin;
            return;
        }

        if (FindGguf(stream, origin, total, context.CancellationToken) is { } at)
        {
            context.Report(RuleIds.ExecutableModel, $"The {format} executable carries a GGUF model at offset {at:N0}; the model was scanned.", at, $"{format}+Gguf");
            context.ScanChild("embedded.gguf", new WindowStream(stream, origin + at, total - at), total - at);
        }

        stream.Position = origin;
    }

    /// <summary>Offset of the first GGUF header in the content, searched in bounded chunks (memory stays constant).</summary>
    private static long? FindGguf(Stream stream, long origin, long total, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[ChunkSize + CandidateBytes];
        for (long chunk = 4; chunk < total; chunk += ChunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stream.Position = origin + chunk;
            int read = stream.ReadAtMost(buffer.AsSpan(0, (int)Math.Min(buffer.Length, total - chunk)));
            ReadOnlySpan<byte> span = buffer.AsSpan(0, read);
            int searched = 0;
            while (searched < Math.Min(read, ChunkSize))
            {
                int hit = span[searched..].IndexOf("GGUF"u8);
                if (hit < 0 || searched + hit >= ChunkSize)
                {
                    break;
                }

                int at = searched + hit;
                if (IsGgufHeader(span[at..]))
                {
                    return chunk + at;
                }

                searched = at + 1;
            }
        }

        return null;
    }

    private static bool IsGgufHeader(ReadOnlySpan<byte> h)
    {
        if (h.Length < 4 + 4 + 8 + 8 + 8 + 1)
        {
            return false;
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
        if (version is not (2 or 3))
        {
            return false;
        }

        ulong tensors = BinaryPrimitives.ReadUInt64LittleEndian(h[8..]);
        ulong keys = BinaryPrimitives.ReadUInt64LittleEndian(h[16..]);
        ulong keyLength = BinaryPrimitives.ReadUInt64LittleEndian(h[24..]);
        if (tensors > MaxCandidateTensors || keys is 0 or > MaxCandidateKeys || keyLength is 0 or > MaxCandidateKeyLength)
        {
            return false;
        }

        ReadOnlySpan<byte> key = h[32..].Length >= (int)keyLength ? h.Slice(32, (int)keyLength) : h[32..];
        return !key.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E);
    }
}
