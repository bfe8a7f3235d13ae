namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// Gathers, from one object header's messages, what says where a dataset's data are: the dataspace (dimensions), the
/// datatype and the data layout message (specification section IV.A.2.i, versions 3 and 4: a contiguous layout's
/// address and size, or a compact layout's bytes in the header itself; a chunked layout is only noted). These messages say nothing about code; a
/// malformed one only means the dataset is not described (the library would fail to read that dataset's data), so
/// its error does not end the walk.
/// </summary>
internal sealed class Hdf5DatasetMessages
{
    private const byte CompactLayout = 0;
    private const byte ContiguousLayout = 1;
    private const byte ChunkedLayout = 2;

    private readonly Hdf5File _file;
    private ulong[]? _shape;
    private Hdf5Datatype? _type;
    private (long? Position, ulong Size)? _data;
    private bool _broken;

    public Hdf5DatasetMessages(Hdf5File file)
    {
        _file = file;
    }

    public void Take(Hdf5Message message)
    {
        // A shared message is stored elsewhere (a committed datatype); such datasets are not described.
        if (message.Type is not (Hdf5Message.Dataspace or Hdf5Message.Datatype or Hdf5Message.DataLayout) || _broken)
        {
            return;
        }

        if (message.IsShared)
        {
            _broken = true;
            return;
        }

        try
        {
            switch (message.Type)
            {
                case Hdf5Message.Dataspace:
                    _shape = Hdf5Dataspace.Dimensions(message.Body);
                    break;
                case Hdf5Message.Datatype:
                    _type = Hdf5Datatype.Read(message.Body, 0);
                    break;
                default:
                    _data = Layout(message.Body);
                    break;
            }
        }
        catch (ModelFormatException)
        {
            _broken = true;
        }
    }

    /// <summary>The dataset, when the header described one stored in one run.</summary>
    public Hdf5Dataset? Dataset =>
        !_broken && _shape is { } shape && _type is { } type && _data is { } data ? new Hdf5Dataset(shape, type, data.Position, data.Size) : null;

    private (long?, ulong)? Layout(Hdf5Cursor body)
    {
        byte version = body.U8();
        if (version is not (3 or 4))
        {
            return null; // versions 1 and 2 (HDF5 before 1.6.3) lay the message out differently; not described
        }

        switch (body.U8())
        {
            case CompactLayout:
                ushort size = body.U16();
                long at = body.FileAddress;
                body.Skip(size);
                return (at, size);
            case ContiguousLayout:
                ulong address = body.Offset();
                ulong length = body.Length();
                return _file.IsUndefined(address) ? null : (_file.Resolve(address, length, "dataset data"), length);
            case ChunkedLayout:
                return (null, 0); // described by its shape and type only
            default:
                return null;
        }
    }
}
