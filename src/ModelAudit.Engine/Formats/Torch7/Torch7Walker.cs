using System.Text;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Torch7;

/// <summary>
/// Walks a Torch7 object as File.lua's readObject reads it: a type word, then a number, string, boolean, table
/// (reference index, entry count, key/value pairs), Torch object (reference index, version and class name, then either
/// the class's own read method or a table of its fields) or function (string.dump bytecode and its upvalues).
/// Tensors and storages are the only classes with their own read method that are followed (their layout is
/// THTensor/THStorage's); an object of another class that reads itself ends the walk as not read. Nothing is built:
/// functions are recorded with the names their bytecode holds.
/// </summary>
internal sealed class Torch7Walker
{
    private const int TypeNil = 0;
    private const int TypeNumber = 1;
    private const int TypeString = 2;
    private const int TypeTable = 3;
    private const int TypeTorch = 4;
    private const int TypeBoolean = 5;
    private const int TypeFunction = 6;
    private const int TypeLegacyRecurFunction = 7;
    private const int TypeRecurFunction = 8;

    // Models nest modules a few levels deep (nn.Sequential of nn.Sequential …); recursion past this is built.
    private const int MaxDepth = 400;

    // Bytes of a function's bytecode kept to find the names it uses; real functions are a few kilobytes.
    private const int KeptBytecode = 1 << 20;

    // Strings kept: keys, class names and short values; data strings are skipped past this.
    private const int KeptString = 4096;

    // Dimensions of a tensor: THTensor stops far below this.
    private const int MaxDimensions = 64;

    private readonly Torch7Reader _reader;
    private readonly HashSet<int> _seen = new();

    public Torch7Walker(Torch7Reader reader)
    {
        _reader = reader;
    }

    /// <summary>Functions found: where, and the Lua names their bytecode holds that run commands or native code.</summary>
    public List<(long Offset, string? Field, IReadOnlyList<string> DangerousNames)> Functions { get; } = new();

    /// <summary>Torch classes the file instantiates.</summary>
    public SortedSet<string> Classes { get; } = new(StringComparer.Ordinal);

    public void Walk() => Read(0, null);

    private object? Read(int depth, string? field)
    {
        if (depth > MaxDepth)
        {
            throw new ScanLimitExceededException(nameof(MaxDepth), $"the Torch7 object nests more than {MaxDepth} levels deep", _reader.Position);
        }

        long at = _reader.Position;
        int type = _reader.Int();
        switch (type)
        {
            case TypeNil:
                return null;
            case TypeNumber:
                _reader.Skip(8);
                return null;
            case TypeBoolean:
                _reader.Int();
                return null;
            case TypeString:
                return Encoding.UTF8.GetString(_reader.Bytes(_reader.Int(), KeptString));
            case TypeFunction:
                Function(at, depth, field);
                return null;
            case TypeTable or TypeTorch or TypeLegacyRecurFunction or TypeRecurFunction:
                if (!_seen.Add(_reader.Int()))
                {
                    return null; // a reference to an object read before
                }

                if (type == TypeTable)
                {
                    Table(at, depth);
                }
                else if (type == TypeTorch)
                {
                    TorchObject(at, depth);
                }
                else
                {
                    Function(at, depth, field);
                }

                return null;
            default:
                throw new ModelFormatException($"Torch7 object type {type}, which File.lua does not write", at);
        }
    }

    private void Table(long at, int depth)
    {
        int size = _reader.Int();
        if (size < 0)
        {
            throw new ModelFormatException($"a Torch7 table of {size} entries", at);
        }

        for (int i = 0; i < size; i++)
        {
            object? key = Read(depth + 1, null);
            Read(depth + 1, key as string);
        }
    }

    private void TorchObject(long at, int depth)
    {
        string version = Encoding.UTF8.GetString(_reader.Bytes(_reader.Int(), KeptString));
        string className = version.StartsWith("V ", StringComparison.Ordinal) ? Encoding.UTF8.GetString(_reader.Bytes(_reader.Int(), KeptString)) : version;
        Classes.Add(className);
        if (className.StartsWith("torch.", StringComparison.Ordinal) && className.EndsWith("Tensor", StringComparison.Ordinal))
        {
            Tensor(at, depth);
        }
        else if (className.StartsWith("torch.", StringComparison.Ordinal) && className.EndsWith("Storage", StringComparison.Ordinal))
        {
            Storage(className, at);
        }
        else if (className.StartsWith("torch.", StringComparison.Ordinal))
        {
            // torch.Generator, torch.Allocator…: their own read methods, whose layouts are not followed here.
            throw new ModelFormatException($"the Torch7 class {className} reads itself in a layout this scan does not follow", at);
        }
        else
        {
            // nn modules and other Lua classes have no read method of their own: their fields are a table.
            Read(depth + 1, null);
        }
    }

    // THTensor: dimensions, sizes and strides (longs), the storage offset, then the storage object.
    private void Tensor(long at, int depth)
    {
        int dimensions = _reader.Int();
        if (dimensions is < 0 or > MaxDimensions)
        {
            throw new ModelFormatException($"a Torch7 tensor of {dimensions} dimensions", at);
        }

        _reader.Skip(16L * dimensions);
        _reader.Long();
        Read(depth + 1, null);
    }

    // THStorage: a long element count, then the raw elements.
    private void Storage(string className, long at)
    {
        long size = _reader.Long();
        int element = ElementSize(className);
        if (size < 0 || size > long.MaxValue / element)
        {
            throw new ModelFormatException($"a Torch7 storage of {size:N0} elements", at);
        }

        _reader.Skip(size * element);
    }

    // cutorch's storages (torch.CudaByteStorage …) are written element by element as their CPU namesakes are; a wrong
    // size would skip past (or short of) what torch.load reads next, and let the walk miss a function.
    private static int ElementSize(string className) => className.Replace("torch.Cuda", "torch.", StringComparison.Ordinal) switch
    {
        "torch.ByteStorage" or "torch.CharStorage" => 1,
        "torch.ShortStorage" or "torch.HalfStorage" => 2,
        "torch.DoubleStorage" or "torch.LongStorage" => 8,
        _ => 4, // Float, Int, and torch.CudaStorage (float)
    };

    // string.dump bytecode (a length and the bytes), then the table of upvalues.
    private void Function(long at, int depth, string? field)
    {
        byte[] bytecode = _reader.Bytes(_reader.Int(), KeptBytecode);
        Functions.Add((at, field, Torch7LuaNames.Dangerous(bytecode)));
        Read(depth + 1, null);
    }
}
