using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>
/// Finds the length and offset fields of an input, by format: the places where a lying value reaches a parser's
/// bounds checks, which random bit flips find only rarely. Structural where the format is simple to walk (zip
/// records, tar headers, SafeTensors, NumPy, GGUF, protobuf, 7z), by opcode or marker elsewhere (pickle, msgpack),
/// and a plausibility heuristic (a 32-bit value no larger than the bytes left) for everything else.
/// </summary>
internal static class LengthFields
{
    // Enough fields for every structure of a seed; past it the walk stops (a mutation picks one field anyway).
    private const int MaxFields = 4096;

    // Nested protobuf messages walked; bytes fields that happen to parse as messages add fields too, harmlessly.
    private const int MaxProtobufDepth = 8;

    public static IReadOnlyList<LengthField> Find(byte[] data)
    {
        var found = new List<LengthField>();
        Zip(data, found);
        Tar(data, found);
        Header(data, found);
        Gguf(data, found);
        Protobuf(data, 0, data.Length, 0, found, requireWhole: true);
        Pickle(data, found);
        Msgpack(data, found);
        Plausible(data, found);
        return found.Count > MaxFields ? found.GetRange(0, MaxFields) : found;
    }

    private static void Add(List<LengthField> found, byte[] data, int offset, int width, LengthEncoding encoding)
    {
        if (found.Count < MaxFields && offset >= 0 && offset + width <= data.Length)
        {
            found.Add(new LengthField(offset, width, encoding));
        }
    }

    // Local header: sizes at 18/22, name and extra lengths at 26/28. Central header: sizes at 20/24, lengths at
    // 28/30/32, local offset at 42. End record: counts at 8/10, directory size and offset at 12/16, comment at 20.
    private static void Zip(byte[] data, List<LengthField> found)
    {
        for (int i = 0; i + 4 <= data.Length; i++)
        {
            if (data[i] != (byte)'P' || data[i + 1] != (byte)'K')
            {
                continue;
            }

            (int Offset, int Width)[] fields = (data[i + 2], data[i + 3]) switch
            {
                (3, 4) => new[] { (18, 4), (22, 4), (26, 2), (28, 2) },
                (1, 2) => new[] { (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (42, 4) },
                (5, 6) => new[] { (8, 2), (10, 2), (12, 4), (16, 4), (20, 2) },
                (6, 6) => new[] { (24, 8), (32, 8), (40, 8), (48, 8) },
                _ => Array.Empty<(int, int)>(),
            };
            foreach (var (offset, width) in fields)
            {
                Add(found, data, i + offset, width, LengthEncoding.LittleEndian);
            }
        }
    }

    // A ustar header every 512 bytes: the size field is 12 octal digits at 124.
    private static void Tar(byte[] data, List<LengthField> found)
    {
        for (int block = 0; block + 512 <= data.Length; block += 512)
        {
            if (data.AsSpan(block + 257, 5).SequenceEqual("ustar"u8))
            {
                Add(found, data, block + 124, 11, LengthEncoding.Octal);
            }
        }
    }

    // SafeTensors: a u64 header length first. NumPy: a u16 (v1) or u32 (v2, v3) header length at 8. 7z: the next
    // header's offset and size at 12 and 20.
    private static void Header(byte[] data, List<LengthField> found)
    {
        if (data.Length >= 8 && BinaryPrimitives.ReadUInt64LittleEndian(data) is var length && length > 0 && length <= (ulong)data.Length)
        {
            Add(found, data, 0, 8, LengthEncoding.LittleEndian);
        }

        if (data.Length >= 12 && data[0] == 0x93 && data.AsSpan(1, 5).SequenceEqual("NUMPY"u8))
        {
            Add(found, data, 8, data[6] == 1 ? 2 : 4, LengthEncoding.LittleEndian);
        }

        if (data.Length >= 32 && data.AsSpan(0, 6).SequenceEqual(new byte[] { 0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C }))
        {
            Add(found, data, 12, 8, LengthEncoding.LittleEndian);
            Add(found, data, 20, 8, LengthEncoding.LittleEndian);
        }
    }

    // GGUF v2/v3: tensor and key-value counts at 8 and 16, then each key's u64 length, and string and array
    // lengths inside the values.
    private static void Gguf(byte[] data, List<LengthField> found)
    {
        if (data.Length < 24 || !data.AsSpan(0, 4).SequenceEqual("GGUF"u8) || BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4)) < 2)
        {
            return;
        }

        Add(found, data, 8, 8, LengthEncoding.LittleEndian);
        Add(found, data, 16, 8, LengthEncoding.LittleEndian);
        ulong pairs = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(16));
        int pos = 24;
        for (ulong p = 0; p < pairs && pos + 12 <= data.Length && found.Count < MaxFields; p++)
        {
            if (!GgufString(data, ref pos, found) || pos + 4 > data.Length)
            {
                return;
            }

            uint type = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos));
            pos += 4;
            if (!GgufValue(data, type, ref pos, found, depth: 0))
            {
                return;
            }
        }
    }

    private static bool GgufString(byte[] data, ref int pos, List<LengthField> found)
    {
        if (pos + 8 > data.Length)
        {
            return false;
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(pos));
        if (length > (ulong)(data.Length - pos - 8))
        {
            return false;
        }

        Add(found, data, pos, 8, LengthEncoding.LittleEndian);
        pos += 8 + (int)length;
        return true;
    }

    private static bool GgufValue(byte[] data, uint type, ref int pos, List<LengthField> found, int depth)
    {
        int size = type switch { 0 or 1 or 7 => 1, 2 or 3 => 2, 4 or 5 or 6 => 4, 10 or 11 or 12 => 8, _ => 0 };
        if (size > 0)
        {
            pos += size;
            return pos <= data.Length;
        }

        if (type == 8)
        {
            return GgufString(data, ref pos, found);
        }

        if (type != 9 || depth > 0 || pos + 12 > data.Length)
        {
            return false;
        }

        uint itemType = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos));
        Add(found, data, pos + 4, 8, LengthEncoding.LittleEndian);
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(pos + 4));
        pos += 12;
        for (ulong i = 0; i < count && found.Count < MaxFields; i++)
        {
            if (!GgufValue(data, itemType, ref pos, found, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    // Length-delimited fields (wire type 2) of a message that parses to its end; their contents are tried as
    // nested messages.
    private static bool Protobuf(byte[] data, int start, int end, int depth, List<LengthField> found, bool requireWhole)
    {
        var fields = new List<LengthField>();
        var nested = new List<(int Start, int End)>();
        int pos = start;
        while (pos < end)
        {
            if (!Varint(data, ref pos, end, out ulong tag) || tag >> 3 == 0)
            {
                return false;
            }

            switch (tag & 7)
            {
                case 0 when Varint(data, ref pos, end, out _):
                    break;
                case 1 when end - pos >= 8:
                    pos += 8;
                    break;
                case 5 when end - pos >= 4:
                    pos += 4;
                    break;
                case 2:
                    int at = pos;
                    if (!Varint(data, ref pos, end, out ulong length) || length > (ulong)(end - pos))
                    {
                        return false;
                    }

                    fields.Add(new LengthField(at, pos - at, LengthEncoding.Varint));
                    nested.Add((pos, pos + (int)length));
                    pos += (int)length;
                    break;
                default:
                    return false;
            }
        }

        if (requireWhole && fields.Count == 0)
        {
            return false;
        }

        foreach (LengthField field in fields)
        {
            Add(found, data, field.Offset, field.Width, field.Encoding);
        }

        if (depth < MaxProtobufDepth)
        {
            foreach (var (s, e) in nested)
            {
                if (e > s)
                {
                    Protobuf(data, s, e, depth + 1, found, requireWhole: true);
                }
            }
        }

        return true;
    }

    private static bool Varint(byte[] data, ref int pos, int end, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && pos < end; shift += 7)
        {
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    // Length-prefixed pickle opcodes, wherever their byte occurs in a pickle (false hits only widen the search):
    // SHORT_BINUNICODE, SHORT_BINSTRING, SHORT_BINBYTES (1 byte); BINUNICODE, BINBYTES, BINSTRING (4); FRAME,
    // BINUNICODE8, BINBYTES8, BYTEARRAY8 (8).
    private static void Pickle(byte[] data, List<LengthField> found)
    {
        if (data.Length < 2 || data[0] != 0x80)
        {
            return;
        }

        for (int i = 0; i + 1 < data.Length && found.Count < MaxFields; i++)
        {
            int width = data[i] switch
            {
                0x8C or (byte)'U' or (byte)'C' => 1,
                (byte)'X' or (byte)'B' or (byte)'T' => 4,
                0x95 or 0x8D or 0x8E or 0x96 => 8,
                _ => 0,
            };
            if (width > 0)
            {
                Add(found, data, i + 1, width, LengthEncoding.LittleEndian);
            }
        }
    }

    // msgpack str/bin/array/map headers with explicit big-endian lengths, in a document that starts with a map.
    private static void Msgpack(byte[] data, List<LengthField> found)
    {
        if (data.Length < 2 || (data[0] & 0xF0) != 0x80 && data[0] is not (0xDE or 0xDF))
        {
            return;
        }

        for (int i = 0; i + 1 < data.Length && found.Count < MaxFields; i++)
        {
            int width = data[i] switch
            {
                0xD9 or 0xC4 => 1,
                0xDA or 0xC5 or 0xDC or 0xDE => 2,
                0xDB or 0xC6 or 0xDD or 0xDF => 4,
                _ => 0,
            };
            if (width > 0)
            {
                Add(found, data, i + 1, width, LengthEncoding.BigEndian);
            }
        }
    }

    // Any aligned 32-bit little-endian value from 1 to the bytes left after it: FlatBuffers offsets, HDF5 sizes,
    // tree-model counts. Text has none worth perturbing.
    private static void Plausible(byte[] data, List<LengthField> found)
    {
        if (data.Length >= 64 && Encoding.UTF8.GetCharCount(data.AsSpan(0, 64)) == 64 && data.AsSpan(0, 64).IndexOfAnyInRange((byte)0, (byte)8) < 0)
        {
            return;
        }

        for (int i = 0; i + 4 <= data.Length && found.Count < MaxFields; i += 4)
        {
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i));
            if (value > 0 && value <= (uint)(data.Length - i - 4))
            {
                Add(found, data, i, 4, LengthEncoding.LittleEndian);
            }
        }
    }
}
