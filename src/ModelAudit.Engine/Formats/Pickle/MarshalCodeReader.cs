using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Reads a marshalled CPython code object (3.8–3.13, the layout <see cref="MarshalSniffer"/> recognised) without
/// running or constructing anything, and collects what decides its danger: the global and attribute names it uses
/// (<c>co_names</c>) and its string constants, of the function and of every code object nested in it. Bounded:
/// every length is checked against the remaining bytes, nesting is capped, and so is the number of objects.
/// </summary>
internal sealed class MarshalCodeReader
{
    // Lambdas and small functions nest a few code objects and tuples; deeper input is crafted, not compiled.
    private const int MaxDepth = 64;

    // A compiled function body of a few thousand objects is already large; past this the input is crafted.
    private const int MaxObjects = 200_000;

    private readonly byte[] _data;
    private readonly int _fields;
    private readonly List<object?> _refs = new();
    private int _pos;
    private int _objects;

    private MarshalCodeReader(byte[] data, int fields)
    {
        _data = data;
        _fields = fields;
    }

    /// <summary>Names used by the code (co_names, in order, every nested code object included).</summary>
    public List<string> Names { get; } = new();

    /// <summary>String constants of the code and its nested code objects.</summary>
    public List<string> Constants { get; } = new();

    /// <summary>Reads the code object at the start of <paramref name="data"/>; null when it is not one.
    /// Throws <see cref="ModelFormatException"/> when the marshal stream is malformed or over the bounds.</summary>
    public static MarshalCodeReader? Read(byte[] data)
    {
        if (MarshalSniffer.HeaderFields(data) is not { } fields)
        {
            return null;
        }

        var reader = new MarshalCodeReader(data, fields);
        reader.ReadObject(0);
        return reader;
    }

    private object? ReadObject(int depth)
    {
        if (depth > MaxDepth || ++_objects > MaxObjects)
        {
            throw new ModelFormatException("the marshalled code nests too deeply or holds too many objects");
        }

        byte tag = Byte();
        bool flagRef = (tag & 0x80) != 0;
        char type = (char)(tag & 0x7F);
        switch (type)
        {
            case '0' or 'N' or 'F' or 'T' or 'S' or '.':
                return null;
            case 'r':
                int index = Int32();
                return index >= 0 && index < _refs.Count ? _refs[index] : throw new ModelFormatException("a marshal reference points nowhere");
            case 'i':
                Skip(4);
                return Keep(flagRef, null);
            case 'I' or 'g':
                Skip(8);
                return Keep(flagRef, null);
            case 'y':
                Skip(16);
                return Keep(flagRef, null);
            case 'l':
                Skip(checked(2 * Math.Abs((long)Int32())));
                return Keep(flagRef, null);
            case 'f':
                Skip(Byte());
                return Keep(flagRef, null);
            case 'x':
                Skip(Byte());
                Skip(Byte());
                return Keep(flagRef, null);
            case 's':
                Skip(Length());
                return Keep(flagRef, null);
            case 't' or 'u':
                return Keep(flagRef, Text(Length(), Encoding.UTF8));
            case 'a' or 'A':
                return Keep(flagRef, Text(Length(), Encoding.Latin1));
            case 'z' or 'Z':
                return Keep(flagRef, Text(Byte(), Encoding.Latin1));
            case ')':
                return Sequence(flagRef, Byte(), depth);
            case '(' or '[' or '<' or '>':
                return Sequence(flagRef, Length(), depth);
            case '{':
                return Dictionary(flagRef, depth);
            case 'c':
                return Code(flagRef, depth);
            default:
                throw new ModelFormatException($"unknown marshal type 0x{tag:x2} at offset {_pos - 1}");
        }
    }

    private List<object?> Sequence(bool flagRef, int count, int depth)
    {
        // Containers take their reference slot before their items, as CPython's r_object does.
        var items = new List<object?>();
        Keep(flagRef, items);
        for (int i = 0; i < count; i++)
        {
            items.Add(ReadObject(depth + 1));
        }

        return items;
    }

    private object? Dictionary(bool flagRef, int depth)
    {
        Keep(flagRef, null);
        while (_pos < _data.Length && _data[_pos] != (byte)'0')
        {
            ReadObject(depth + 1);
            ReadObject(depth + 1);
        }

        Byte();
        return null;
    }

    private object? Code(bool flagRef, int depth)
    {
        int slot = _refs.Count;
        Keep(flagRef, null);
        Skip(4 * _fields);
        ReadObject(depth + 1); // co_code
        object? consts = ReadObject(depth + 1);
        object? names = ReadObject(depth + 1);
        CollectConstants(consts, 0);
        if (names is List<object?> list)
        {
            Names.AddRange(list.OfType<string>());
        }

        // 3.11+: localsplusnames, localspluskinds, filename, name, qualname; 3.8–3.10: varnames, freevars,
        // cellvars, filename, name. Then firstlineno, and one or two line tables.
        int objectsBeforeLine = 5;
        for (int i = 0; i < objectsBeforeLine; i++)
        {
            ReadObject(depth + 1);
        }

        Skip(4);
        ReadObject(depth + 1);
        if (_fields == 5)
        {
            ReadObject(depth + 1); // co_exceptiontable
        }

        var code = new CodeMarker();
        if (flagRef)
        {
            _refs[slot] = code;
        }

        return code;
    }

    private void CollectConstants(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        switch (value)
        {
            case string s:
                Constants.Add(s);
                break;
            case List<object?> items:
                foreach (object? item in items)
                {
                    CollectConstants(item, depth + 1);
                }

                break;
        }
    }

    private object? Keep(bool flagRef, object? value)
    {
        if (flagRef)
        {
            _refs.Add(value);
        }

        return value;
    }

    private byte Byte()
    {
        if (_pos >= _data.Length)
        {
            throw new ModelFormatException("the marshalled code ends inside an object");
        }

        return _data[_pos++];
    }

    private int Int32()
    {
        if (_data.Length - _pos < 4)
        {
            throw new ModelFormatException("the marshalled code ends inside an integer");
        }

        int value = BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(_pos));
        _pos += 4;
        return value;
    }

    private int Length()
    {
        int length = Int32();
        return length >= 0 ? length : throw new ModelFormatException("a marshal length is negative");
    }

    private void Skip(long count)
    {
        if (count < 0 || count > _data.Length - _pos)
        {
            throw new ModelFormatException("a marshal length runs past the end of the code");
        }

        _pos += (int)count;
    }

    private string Text(int length, Encoding encoding)
    {
        int start = _pos;
        Skip(length);
        return encoding.GetString(_data, start, length);
    }

    // Stands for a nested code object in reference slots; its names were collected when it was read.
    private sealed class CodeMarker
    {
    }
}
