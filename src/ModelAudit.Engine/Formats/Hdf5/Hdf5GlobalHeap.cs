using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// Global heap collections ("GCOL", specification section III.E), where variable-length strings are stored. A
/// collection is indexed once, object header by object header, and cached; an object is read only when a reference
/// names it, and only the bytes the reference asks for, after checking they lie inside the object. Collections are
/// disjoint in a well-formed file, so the collections indexed together cannot be larger than the file.
/// </summary>
internal sealed class Hdf5GlobalHeap
{
    private static ReadOnlySpan<byte> Signature => "GCOL"u8;

    private readonly Hdf5File _file;
    private readonly Dictionary<ulong, Dictionary<ushort, (long Position, ulong Size)>> _collections = new();
    private ulong _indexedBytes;

    public Hdf5GlobalHeap(Hdf5File file) => _file = file;

    /// <summary>The first <paramref name="length"/> bytes of object <paramref name="index"/> of the collection at
    /// <paramref name="collection"/>.</summary>
    public byte[] Read(ulong collection, uint index, ulong length, string what)
    {
        Dictionary<ushort, (long Position, ulong Size)> objects = Index(collection);
        if (index == 0 || index > ushort.MaxValue || !objects.TryGetValue((ushort)index, out var found))
        {
            throw new ModelFormatException($"{what} refers to object {index:N0} of the HDF5 global heap at {collection:N0}, which has no such object");
        }

        if (length > found.Size)
        {
            throw new ModelFormatException($"{what} asks for {length:N0} bytes of an HDF5 global heap object that holds {found.Size:N0}", found.Position);
        }

        if (length > (ulong)_file.MaxBlockBytes)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"{what} is {length:N0} bytes, more than {_file.MaxBlockBytes:N0}");
        }

        return _file.Read(found.Position, (int)length);
    }

    private Dictionary<ushort, (long Position, ulong Size)> Index(ulong collection)
    {
        if (_collections.TryGetValue(collection, out var cached))
        {
            return cached;
        }

        int sizeOfLengths = _file.SizeOfLengths;
        int headerBytes = Hdf5Cursor.PaddedTo8(4 + 1 + 3 + sizeOfLengths);
        Hdf5Cursor header = _file.Cursor(collection, (ulong)headerBytes, "global heap collection");
        if (!header.Take(4).SequenceEqual(Signature))
        {
            throw new ModelFormatException($"no HDF5 global heap collection (GCOL) at address {collection:N0}", header.FileAddress - 4);
        }

        byte version = header.U8();
        if (version != 1)
        {
            throw new ModelFormatException($"HDF5 global heap collection version {version} is not 1", header.FileAddress - 1);
        }

        header.Skip(3);
        ulong size = header.Length();
        long start = _file.Resolve(collection, size, "global heap collection");
        if (size < (ulong)headerBytes || size > (ulong)_file.Length - _indexedBytes)
        {
            throw new ModelFormatException($"the HDF5 global heap collection at {collection:N0} declares {size:N0} bytes, which its header or the file cannot hold", start);
        }

        _indexedBytes += size;
        var objects = new Dictionary<ushort, (long Position, ulong Size)>();
        int objectHeaderBytes = 2 + 2 + 4 + sizeOfLengths;
        ulong at = (ulong)headerBytes;
        while (size - at >= (ulong)objectHeaderBytes)
        {
            _file.CancellationToken.ThrowIfCancellationRequested();
            long position = start + (long)at;
            Hdf5Cursor entry = _file.CursorAt(position, objectHeaderBytes);
            ushort index = entry.U16();
            entry.Skip(2 + 4); // reference count, reserved
            ulong objectSize = entry.Length();

            // Object 0 is the free space; its size counts its own header. Every other object's data is padded to 8.
            ulong room = size - at - (ulong)objectHeaderBytes;
            if (index == 0)
            {
                break;
            }

            if (objectSize > room)
            {
                throw new ModelFormatException($"object {index} of the HDF5 global heap at {collection:N0} declares {objectSize:N0} bytes, past the end of its collection", position);
            }

            objects.TryAdd(index, (position + objectHeaderBytes, objectSize));
            ulong padded = Math.Min(room, (objectSize + 7) & ~7UL);
            at += (ulong)objectHeaderBytes + padded;
        }

        _collections[collection] = objects;
        return objects;
    }
}
