using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The messages of one object header (specification section IV.A), version 1 and version 2 ("OHDR"), with the
/// continuation blocks its continuation messages (type 0x0010) point to (v2 ones begin "OCHK"). Chunks are read one
/// at a time and each is checked against the file before it is read. The walk is a queue, never recursion; a block
/// seen twice is a loop, and the blocks together cannot hold more bytes than the file does.
/// </summary>
internal static class Hdf5ObjectHeader
{
    // Headers grow by one continuation block each time messages no longer fit; a root group with a few thousand
    // attributes added one by one has tens. Past this many, the header is built to make the walk long.
    public const int MaxChunks = 1024;

    // Version 1: version, reserved, message count (2), reference count (4), header size (4), padded to 16.
    private const int V1PrefixBytes = 16;

    // Version 2: signature, version, flags, four times (16, flag bit 5), two attribute phase values (4, bit 4),
    // the size of chunk 0 (1 to 8 bytes, flag bits 0-1).
    private const int V2LongestPrefix = 4 + 1 + 1 + 16 + 4 + 8;
    private const int SignatureBytes = 4;
    private const int ChecksumBytes = 4;

    private static ReadOnlySpan<byte> V2Signature => "OHDR"u8;
    private static ReadOnlySpan<byte> V2ContinuationSignature => "OCHK"u8;

    public static IEnumerable<Hdf5Message> Messages(Hdf5File file, ulong address)
    {
        long position = file.Resolve(address, SignatureBytes, "object header");
        bool v2 = file.Read(position, SignatureBytes).AsSpan().SequenceEqual(V2Signature);
        (ulong chunkAddress, ulong chunkLength, bool creationOrder) = v2 ? V2FirstChunk(file, address, position) : V1FirstChunk(file, address);

        var seen = new HashSet<ulong> { chunkAddress };
        var pending = new Queue<(ulong Address, ulong Length, bool Continuation)>();
        pending.Enqueue((chunkAddress, chunkLength, false));
        ulong headerBytes = 0;
        int chunks = 0;
        while (pending.Count > 0)
        {
            (ulong at, ulong length, bool continuation) = pending.Dequeue();
            if (++chunks > MaxChunks)
            {
                throw new ScanLimitExceededException(nameof(MaxChunks), $"the HDF5 object header at {address:N0} has more than {MaxChunks:N0} continuation blocks");
            }

            file.Resolve(at, length, "object header chunk");

            // Distinct blocks of a well-formed file never overlap, so together they fit in the file.
            if (length > (ulong)file.Length - headerBytes)
            {
                throw new ModelFormatException($"the HDF5 object header at {address:N0} has blocks that overlap: together they hold more bytes than the file");
            }

            headerBytes += length;
            file.CountStructureBytes(length);
            Hdf5Cursor chunk = file.Cursor(at, length, "object header chunk");
            if (v2 && continuation)
            {
                if (!chunk.Take(SignatureBytes).SequenceEqual(V2ContinuationSignature))
                {
                    throw new ModelFormatException($"the HDF5 continuation block at {at:N0} has no OCHK signature", chunk.FileAddress - SignatureBytes);
                }

                chunk = chunk.Slice(chunk.Remaining - ChecksumBytes);
            }

            foreach (Hdf5Message message in v2 ? V2Messages(chunk, creationOrder) : V1Messages(chunk))
            {
                file.CancellationToken.ThrowIfCancellationRequested();
                if (message.Type != Hdf5Message.Continuation)
                {
                    yield return message;
                    continue;
                }

                ulong next = message.Body.Offset();
                ulong nextLength = message.Body.Length();
                if (!seen.Add(next))
                {
                    throw new ModelFormatException($"the HDF5 object header at {address:N0} continues at {next:N0} again: its continuation blocks form a loop", message.Body.FileAddress);
                }

                if (v2 && nextLength < SignatureBytes + ChecksumBytes)
                {
                    throw new ModelFormatException($"the HDF5 continuation block at {next:N0} is {nextLength:N0} bytes, too short for its signature and checksum", message.Body.FileAddress);
                }

                pending.Enqueue((next, nextLength, true));
            }
        }
    }

    private static (ulong Address, ulong Length, bool CreationOrder) V1FirstChunk(Hdf5File file, ulong address)
    {
        Hdf5Cursor prefix = file.Cursor(address, V1PrefixBytes, "object header");
        byte version = prefix.U8();
        if (version != 1)
        {
            throw new ModelFormatException($"the HDF5 object header at {address:N0} has version {version}, not 1 (nor an OHDR signature)", prefix.FileAddress - 1);
        }

        prefix.Skip(1 + 2 + 4); // reserved, message count, reference count
        return (address + V1PrefixBytes, prefix.U32(), false);
    }

    private static (ulong Address, ulong Length, bool CreationOrder) V2FirstChunk(Hdf5File file, ulong address, long position)
    {
        Hdf5Cursor prefix = file.CursorAt(position, (int)Math.Min(V2LongestPrefix, file.Length - position));
        prefix.Skip(SignatureBytes);
        byte version = prefix.U8();
        if (version != 2)
        {
            throw new ModelFormatException($"the HDF5 object header at {address:N0} has version {version}, not 2", prefix.FileAddress - 1);
        }

        byte flags = prefix.U8();
        prefix.Skip(((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0));
        ulong size = prefix.Unsigned(1 << (flags & 0x03));

        // Chunk 0's messages follow the prefix; its checksum follows them and is not read.
        return (address + (ulong)prefix.Position, size, (flags & 0x04) != 0);
    }

    private static IEnumerable<Hdf5Message> V1Messages(Hdf5Cursor chunk)
    {
        // Type (2), size (2), flags (1), reserved (3), then the body (a multiple of 8 bytes when well formed).
        while (chunk.Remaining >= 8)
        {
            ushort type = chunk.U16();
            ushort size = chunk.U16();
            byte flags = chunk.U8();
            chunk.Skip(3);
            yield return new Hdf5Message(type, flags, chunk.Slice(size));
        }
    }

    private static IEnumerable<Hdf5Message> V2Messages(Hdf5Cursor chunk, bool creationOrder)
    {
        // Type (1), size (2), flags (1), creation order (2, when the header tracks it), then the body. A gap shorter
        // than a message header may end the chunk.
        int headerBytes = creationOrder ? 6 : 4;
        while (chunk.Remaining >= headerBytes)
        {
            byte type = chunk.U8();
            ushort size = chunk.U16();
            byte flags = chunk.U8();
            if (creationOrder)
            {
                chunk.Skip(2);
            }

            yield return new Hdf5Message(type, flags, chunk.Slice(size));
        }
    }
}
