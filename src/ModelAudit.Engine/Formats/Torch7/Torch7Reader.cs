using System.Buffers.Binary;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Torch7;

/// <summary>
/// The binary encoding of Torch7's File class as torch.save writes it: little-endian 4-byte ints, 8-byte doubles and
/// longs, raw bytes, read front to back. Payloads (storages) are skipped by length.
/// </summary>
internal sealed class Torch7Reader
{
    private readonly ForwardReader _input;

    public Torch7Reader(Stream stream, CancellationToken cancellationToken)
    {
        _input = new ForwardReader(stream, cancellationToken);
    }

    /// <summary>Offset of the next byte in the stream.</summary>
    public long Position => _input.Position;

    public int Int()
    {
        Span<byte> bytes = stackalloc byte[4];
        _input.Read(bytes);
        return BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    public long Long()
    {
        Span<byte> bytes = stackalloc byte[8];
        _input.Read(bytes);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    /// <summary>Reads <paramref name="length"/> bytes and keeps the first <paramref name="keep"/>.</summary>
    public byte[] Bytes(long length, int keep) =>
        length >= 0 ? _input.Bytes(length, keep) : throw new ModelFormatException($"a Torch7 string of {length} bytes", Position);

    public void Skip(long count) => _input.Skip(count);
}
