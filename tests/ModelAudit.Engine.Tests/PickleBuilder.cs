using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Assembles pickle opcode streams byte by byte, for techniques no library writes on purpose (the way fickling's
/// tests build theirs). Method names follow the opcode names.
/// </summary>
internal sealed class PickleBuilder
{
    private readonly List<byte> _bytes = new();

    public int Length => _bytes.Count;

    public PickleBuilder Proto(int protocol) => Op(0x80).Byte((byte)protocol);

    public PickleBuilder Frame(long length)
    {
        Op(0x95);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, length);
        return Raw(b.ToArray());
    }

    public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.UTF8.GetBytes(module + "\n" + name + "\n"));

    public PickleBuilder Inst(string module, string name) => Op('i').Raw(Encoding.UTF8.GetBytes(module + "\n" + name + "\n"));

    public PickleBuilder Str(string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        if (utf8.Length < 256)
        {
            return Op(0x8C).Byte((byte)utf8.Length).Raw(utf8);
        }

        return Op('X').Int32(utf8.Length).Raw(utf8);
    }

    /// <summary>Protocol-0 STRING with a quoted argument.</summary>
    public PickleBuilder Text(string value) => Op('S').Raw(Encoding.ASCII.GetBytes("'" + value + "'\n"));

    public PickleBuilder BinString(string value)
    {
        byte[] data = Encoding.Latin1.GetBytes(value);
        return Op('T').Int32(data.Length).Raw(data);
    }

    public PickleBuilder Bytes(byte[] data) => data.Length < 256 ? Op('C').Byte((byte)data.Length).Raw(data) : Op('B').Int32(data.Length).Raw(data);

    public PickleBuilder Bytes8(long length, byte[] payload)
    {
        Op(0x8E);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, length);
        return Raw(b.ToArray()).Raw(payload);
    }

    public PickleBuilder Int(int value) => value is >= 0 and < 256 ? Op('K').Byte((byte)value) : Op('J').Int32(value);

    public PickleBuilder StackGlobal() => Op(0x93);

    public PickleBuilder Mark() => Op('(');

    public PickleBuilder Tuple() => Op('t');

    public PickleBuilder Tuple1() => Op(0x85);

    public PickleBuilder Tuple2() => Op(0x86);

    public PickleBuilder Tuple3() => Op(0x87);

    public PickleBuilder EmptyTuple() => Op(')');

    public PickleBuilder EmptyDict() => Op('}');

    public PickleBuilder EmptyList() => Op(']');

    public PickleBuilder Reduce() => Op('R');

    public PickleBuilder Build() => Op('b');

    public PickleBuilder NewObj() => Op(0x81);

    public PickleBuilder Obj() => Op('o');

    public PickleBuilder Append() => Op('a');

    public PickleBuilder SetItem() => Op('s');

    public PickleBuilder Pop() => Op('0');

    public PickleBuilder None() => Op('N');

    public PickleBuilder Put(int key) => Op('q').Byte((byte)key);

    public PickleBuilder Get(int key) => Op('h').Byte((byte)key);

    public PickleBuilder Memoize() => Op(0x94);

    public PickleBuilder Ext1(byte code) => Op(0x82).Byte(code);

    public PickleBuilder Ext2(ushort code)
    {
        Op(0x83);
        return Byte((byte)(code & 0xFF)).Byte((byte)(code >> 8));
    }

    public PickleBuilder BinPersId() => Op('Q');

    public PickleBuilder Stop() => Op('.');

    /// <summary>callable(*args) where args are string constants: STACK_GLOBAL, tuple, REDUCE.</summary>
    public PickleBuilder Call(string module, string name, params string[] args)
    {
        Str(module).Str(name).StackGlobal().Mark();
        foreach (string a in args)
        {
            Str(a);
        }

        return Tuple().Reduce();
    }

    public PickleBuilder Op(char opcode) => Byte((byte)opcode);

    public PickleBuilder Op(int opcode) => Byte((byte)opcode);

    public PickleBuilder Byte(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public PickleBuilder Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return Raw(b.ToArray());
    }

    public PickleBuilder Raw(byte[] data)
    {
        _bytes.AddRange(data);
        return this;
    }

    public PickleBuilder Raw(string ascii) => Raw(Encoding.Latin1.GetBytes(ascii));

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>PROTO 4, callable(*args), STOP: the gadget-matrix shape of peers.md §6.2.</summary>
    public static byte[] Gadget(string module, string name, params string[] args) =>
        new PickleBuilder().Proto(4).Call(module, name, args.Length == 0 ? new[] { "x" } : args).Stop().ToArray();
}
