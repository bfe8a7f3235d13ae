using System.Numerics;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// A fractal heap (specification section III.G): the header ("FRHP"), then a doubling table of direct blocks
/// ("FHDB", which hold the objects) and indirect blocks ("FHIB", rows of child block addresses). A group's dense links
/// and an object's dense attributes are its objects, found by heap ID. The blocks are walked once, with a queue (never
/// recursion), each checked against the file before it is read; a block reached twice is a loop. A filtered
/// (compressed) heap and huge objects (stored through another B-tree) are not read: such a heap is reported, never
/// guessed at.
/// </summary>
internal sealed class Hdf5FractalHeap
{
    // A heap's direct blocks double in size row by row (the library's defaults: 512 bytes to 64 KiB, four a row), so
    // a group of a million links has a few thousand blocks. Past this many, the table is built to make the walk long.
    public const int MaxBlocks = 100_000;

    // Signature (4) and version (1) of every block; a direct or indirect block then names its heap's header.
    private const int BlockPrefixBytes = 5;
    private const int ChecksumBytes = 4;
    private const byte ManagedObject = 0;
    private const byte HugeObject = 1;
    private const byte TinyObject = 2;

    // The library's own heap IDs are at most this long when a tiny object's length fits in the first byte.
    private const int ShortTinyIdBytes = 18;

    private static ReadOnlySpan<byte> HeaderSignature => "FRHP"u8;
    private static ReadOnlySpan<byte> DirectSignature => "FHDB"u8;
    private static ReadOnlySpan<byte> IndirectSignature => "FHIB"u8;

    private readonly Hdf5File _file;
    private readonly string _what;
    private readonly int _offsetBytes;
    private readonly int _lengthBytes;

    // Direct blocks by their offset in the heap's address space: the offset, size and file address of each.
    private readonly List<(ulong Offset, ulong Size, ulong Address)> _directBlocks = new();
    private readonly int _directHeaderBytes;

    private Hdf5FractalHeap(Hdf5File file, string what, int offsetBytes, int lengthBytes, int directHeaderBytes)
    {
        _file = file;
        _what = what;
        _offsetBytes = offsetBytes;
        _lengthBytes = lengthBytes;
        _directHeaderBytes = directHeaderBytes;
    }

    /// <summary>Reads the heap header at <paramref name="address"/> and walks its blocks; <paramref name="what"/>
    /// names the heap in messages ("the dense links of /a").</summary>
    public static Hdf5FractalHeap Read(Hdf5File file, ulong address, string what)
    {
        int o = file.SizeOfOffsets;
        int l = file.SizeOfLengths;

        // Signature, version, heap ID length (2), filters' length (2), flags, maximum managed object size (4), the
        // next huge ID (L), huge objects' B-tree (O), free space (L), free-space manager (O), managed space (L),
        // allocated managed space (L), the allocation iterator (L), managed objects (L), huge objects' size and
        // count (2L), tiny objects' size and count (2L), table width (2), starting and maximum direct block sizes
        // (2L), maximum heap size in bits (2), starting rows of the root indirect block (2), the root block (O),
        // current rows of the root indirect block (2); then filter fields (only when filtered) and a checksum.
        ulong size = (ulong)(4 + 1 + 2 + 2 + 1 + 4 + (12 * l) + (3 * o) + 2 + 2 + 2 + 2 + ChecksumBytes);
        Hdf5Cursor header = file.Cursor(address, size, $"fractal heap header of {what}");
        file.CountStructureBytes(size);
        if (!header.Take(HeaderSignature.Length).SequenceEqual(HeaderSignature))
        {
            throw new ModelFormatException($"the HDF5 fractal heap of {what} at {address:N0} has no FRHP signature", header.FileAddress - HeaderSignature.Length);
        }

        byte version = header.U8();
        if (version != 0)
        {
            throw new ModelFormatException($"the HDF5 fractal heap of {what} has version {version}, not 0", header.FileAddress - 1);
        }

        header.U16(); // heap ID length: the B-tree's records say how long theirs are
        ushort filters = header.U16();
        byte flags = header.U8();
        uint maxManagedObject = header.U32();
        header.Skip(l + o + l + o + (8 * l));
        ushort width = header.U16();
        ulong startingBlock = header.Length();
        ulong maxDirectBlock = header.Length();
        ushort maxHeapBits = header.U16();
        header.U16(); // starting rows of the root indirect block: the current rows are what is stored
        ulong root = header.Offset();
        ushort rootRows = header.U16();
        if (filters != 0)
        {
            throw new ModelFormatException($"the HDF5 fractal heap of {what} is filtered (compressed), which is not read; what it holds is not checked");
        }

        Hdf5Checksum.Verify(header, $"fractal heap header of {what}");

        // The library writes powers of two for the width and block sizes, and a heap address space of at most 64
        // bits; anything else makes the doubling table's arithmetic meaningless.
        if (width == 0 || !BitOperations.IsPow2(width) || startingBlock == 0 || !BitOperations.IsPow2(startingBlock)
            || maxDirectBlock < startingBlock || !BitOperations.IsPow2(maxDirectBlock) || maxHeapBits is 0 or > 63
            || maxDirectBlock > 1UL << maxHeapBits || BitOperations.Log2(startingBlock) + BitOperations.Log2(width) > maxHeapBits)
        {
            throw new ModelFormatException($"the HDF5 fractal heap of {what} declares a doubling table of width {width:N0}, blocks of {startingBlock:N0} to {maxDirectBlock:N0} bytes and a {maxHeapBits}-bit address space, which the format does not allow");
        }

        int blockOffsetBytes = (maxHeapBits + 7) / 8;
        bool checksummed = (flags & 0x02) != 0;
        int directHeaderBytes = BlockPrefixBytes + o + blockOffsetBytes + (checksummed ? ChecksumBytes : 0);

        // A managed object's heap ID: the type byte, its offset in the heap's address space (as many bytes as the
        // address space needs), then its length, in as few bytes as the largest direct block's size in bits or the
        // largest managed object needs, whichever is fewer.
        int lengthBytes = Math.Min((BitOperations.Log2(maxDirectBlock) + 7) / 8, (BitOperations.Log2(Math.Max(maxManagedObject, 1u)) / 8) + 1);
        var heap = new Hdf5FractalHeap(file, what, blockOffsetBytes, lengthBytes, directHeaderBytes);
        if (!file.IsUndefined(root))
        {
            var table = new Hdf5DoublingTable(width, startingBlock, maxDirectBlock, maxHeapBits);
            heap.Walk(address, root, rootRows, table, blockOffsetBytes);
        }

        return heap;
    }

    /// <summary>The object a heap ID names: a cursor over its bytes, which are read from the file.</summary>
    public Hdf5Cursor Object(ReadOnlySpan<byte> id)
    {
        if (id.IsEmpty)
        {
            throw new ModelFormatException($"an HDF5 heap ID of {_what} is empty");
        }

        byte flags = id[0];
        int type = (flags >> 4) & 0x03;
        if (flags >> 6 != 0)
        {
            throw new ModelFormatException($"an HDF5 heap ID of {_what} has version {flags >> 6}, not 0");
        }

        switch (type)
        {
            case ManagedObject:
                return Managed(id);
            case TinyObject:
                return Tiny(id);
            case HugeObject:
                throw new ModelFormatException($"an HDF5 object of {_what} is a huge object (stored through its own B-tree), which is not read; it is not checked");
            default:
                throw new ModelFormatException($"an HDF5 heap ID of {_what} has type {type}, which the format does not define");
        }
    }

    private Hdf5Cursor Managed(ReadOnlySpan<byte> id)
    {
        if (id.Length < 1 + _offsetBytes + _lengthBytes)
        {
            throw new ModelFormatException($"an HDF5 heap ID of {_what} is {id.Length} bytes, too short for its offset and length");
        }

        ulong offset = Little(id.Slice(1, _offsetBytes));
        ulong length = Little(id.Slice(1 + _offsetBytes, _lengthBytes));

        // The last block that starts at or before the offset is the one that holds it, when any does.
        int lo = 0;
        int hi = _directBlocks.Count - 1;
        int found = -1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (_directBlocks[mid].Offset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Objects lie after the block's header and end within the block.
        ulong within = found < 0 ? 0 : offset - _directBlocks[found].Offset;
        if (found < 0 || within < (ulong)_directHeaderBytes || within >= _directBlocks[found].Size
            || length == 0 || length > _directBlocks[found].Size - within)
        {
            throw new ModelFormatException($"an HDF5 heap ID of {_what} names {length:N0} bytes at heap offset {offset:N0}, which no direct block of the heap holds");
        }

        // Distinct objects of a well-formed heap never overlap: IDs that name the same bytes again multiply the work.
        _file.CountStructureBytes(length);
        return _file.Cursor(_directBlocks[found].Address + within, length, $"heap object of {_what}");
    }

    private Hdf5Cursor Tiny(ReadOnlySpan<byte> id)
    {
        // The length less one is in the low nibble of the first byte, and for a long ID also in the next byte.
        bool extended = id.Length > ShortTinyIdBytes;
        int header = extended ? 2 : 1;
        if (id.Length < header)
        {
            throw new ModelFormatException($"an HDF5 heap ID of {_what} is too short for a tiny object");
        }

        int length = (extended ? ((id[0] & 0x0F) << 8) | id[1] : id[0] & 0x0F) + 1;
        if (length > id.Length - header)
        {
            throw new ModelFormatException($"an HDF5 tiny heap object of {_what} declares {length} bytes where its ID holds {id.Length - header}");
        }

        byte[] bytes = id.Slice(header, length).ToArray();
        return new Hdf5Cursor(bytes, 0, bytes.Length, 0, _file.SizeOfOffsets, _file.SizeOfLengths);
    }

    // The root is one direct block when the root indirect block has no rows; else the blocks are reached row by row
    // from the root indirect block. Each indirect block's rows follow from its size, which its parent's row gives.
    private void Walk(ulong heapHeader, ulong root, int rootRows, Hdf5DoublingTable table, int blockOffsetBytes)
    {
        var seen = new HashSet<ulong>();
        var pending = new Queue<(ulong Address, ulong Offset, int Rows, bool Indirect)>();
        pending.Enqueue((root, 0, rootRows, rootRows > 0));
        while (pending.Count > 0)
        {
            _file.CancellationToken.ThrowIfCancellationRequested();
            (ulong address, ulong offset, int rows, bool indirect) = pending.Dequeue();
            if (!seen.Add(address))
            {
                throw new ModelFormatException($"the HDF5 fractal heap of {_what} reaches the block at {address:N0} again: its blocks form a loop");
            }

            if (seen.Count > MaxBlocks)
            {
                throw new ScanLimitExceededException(nameof(MaxBlocks), $"the HDF5 fractal heap of {_what} has more than {MaxBlocks:N0} blocks");
            }

            if (!indirect)
            {
                ulong size = rows == 0 ? table.StartingBlock : table.RowBlockSize(rows - 1);
                DirectBlock(heapHeader, address, offset, size, blockOffsetBytes);
                continue;
            }

            if (rows < 1 || rows > table.MaxRows)
            {
                throw new ModelFormatException($"the HDF5 fractal heap of {_what} has an indirect block of {rows:N0} rows, more than its {table.MaxHeapBits}-bit address space holds");
            }

            int directRows = Math.Min(rows, table.MaxDirectRows);
            int entries = rows * table.Width;
            ulong length = (ulong)(BlockPrefixBytes + _file.SizeOfOffsets + blockOffsetBytes + (entries * _file.SizeOfOffsets) + ChecksumBytes);
            Hdf5Cursor block = Block(address, length, IndirectSignature, "indirect");
            CheckBlockHeader(block, heapHeader, offset, blockOffsetBytes, address);
            var children = new List<(ulong Address, ulong Offset, int Rows, bool Indirect)>();
            ulong childOffset = offset;
            for (int row = 0; row < rows; row++)
            {
                ulong rowSize = table.RowBlockSize(row);
                for (int column = 0; column < table.Width; column++, childOffset += rowSize)
                {
                    ulong child = block.Offset();
                    if (_file.IsUndefined(child))
                    {
                        // Blocks not yet allocated: the heap has not grown this far.
                        continue;
                    }

                    // A direct child is queued with its row (plus one, so row 0 differs from "the root direct
                    // block"); an indirect child with the rows its size holds.
                    children.Add(row < directRows
                        ? (child, childOffset, row + 1, false)
                        : (child, childOffset, table.RowsOfIndirect(rowSize), true));
                }
            }

            Hdf5Checksum.Verify(block, $"fractal heap indirect block of {_what} at {address:N0}");
            foreach ((ulong Address, ulong Offset, int Rows, bool Indirect) child in children)
            {
                pending.Enqueue(child);
            }
        }

        _directBlocks.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        for (int i = 1; i < _directBlocks.Count; i++)
        {
            if (_directBlocks[i].Offset < _directBlocks[i - 1].Offset + _directBlocks[i - 1].Size)
            {
                throw new ModelFormatException($"the HDF5 fractal heap of {_what} has direct blocks that overlap in its address space");
            }
        }
    }

    private void DirectBlock(ulong heapHeader, ulong address, ulong offset, ulong size, int blockOffsetBytes)
    {
        // The whole block must be in the file; only its header is read here, its objects when an ID names them.
        _file.Resolve(address, size, $"fractal heap direct block of {_what}");
        Hdf5Cursor block = Block(address, (ulong)(BlockPrefixBytes + _file.SizeOfOffsets + blockOffsetBytes), DirectSignature, "direct");
        CheckBlockHeader(block, heapHeader, offset, blockOffsetBytes, address);
        if (size < (ulong)_directHeaderBytes)
        {
            throw new ModelFormatException($"the HDF5 fractal heap of {_what} has a {size:N0}-byte direct block, too short for its header");
        }

        _directBlocks.Add((offset, size, address));
    }

    private Hdf5Cursor Block(ulong address, ulong length, ReadOnlySpan<byte> signature, string kind)
    {
        Hdf5Cursor block = _file.Cursor(address, length, $"fractal heap {kind} block of {_what}");
        _file.CountStructureBytes(length);
        if (!block.Take(signature.Length).SequenceEqual(signature))
        {
            throw new ModelFormatException($"the HDF5 fractal heap {kind} block of {_what} at {address:N0} has no {System.Text.Encoding.ASCII.GetString(signature)} signature", block.FileAddress - signature.Length);
        }

        byte version = block.U8();
        if (version != 0)
        {
            throw new ModelFormatException($"the HDF5 fractal heap {kind} block of {_what} at {address:N0} has version {version}, not 0", block.FileAddress - 1);
        }

        return block;
    }

    // Each block names its heap's header and its own offset in the heap's address space: a block of another heap,
    // or at another offset than its parent's row and column give, is not where the table says it is.
    private void CheckBlockHeader(Hdf5Cursor block, ulong heapHeader, ulong offset, int blockOffsetBytes, ulong address)
    {
        ulong owner = block.Offset();
        ulong declared = block.Unsigned(blockOffsetBytes);
        if (owner != heapHeader || declared != offset)
        {
            throw new ModelFormatException($"the HDF5 fractal heap block of {_what} at {address:N0} belongs to the heap at {owner:N0}, offset {declared:N0}, where the heap at {heapHeader:N0} expects offset {offset:N0}");
        }
    }

    private static ulong Little(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            value = value << 8 | bytes[i];
        }

        return value;
    }
}
