using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>
/// Deterministic mutations of a seed (no coverage feedback): bit flips, interesting bytes, byte insertion and
/// deletion, a lying length field, a splice with another seed, block duplication and truncation, one to three at a
/// time. Bytes before <c>protect</c> are never changed, moved or removed, so a malicious seed's payload stays whole.
/// </summary>
internal static class FuzzMutator
{
    // At most this many mutations stacked on one input: more and the input stops looking like its format at all.
    private const int MaxStackedMutations = 3;

    // Insertions, deletions and duplicated blocks stay small, so the mutant stays close to its seed.
    private const int MaxChunk = 64;

    // Grown inputs are capped, so a stack of duplications cannot turn a small seed into a slow one.
    private const int MaxInputBytes = 1 << 20;

    private static readonly byte[] s_interesting = { 0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'.', (byte)'(', (byte)'R', (byte)'c', (byte)'{', (byte)'"', (byte)'\n' };

    /// <summary>A mutant of <paramref name="seed"/> and a short description of what was done (for crash reports).</summary>
    public static (byte[] Data, string What) Mutate(byte[] seed, IReadOnlyList<LengthField> fields, Random random, IReadOnlyList<FuzzSeed> pool, int protect)
    {
        var data = new List<byte>(seed);
        var what = new StringBuilder();
        int count = 1 + random.Next(MaxStackedMutations);
        for (int m = 0; m < count; m++)
        {
            // The length fields were found in the seed: they are where they were only before anything moved.
            int kind = random.Next(m == 0 && fields.Count > 0 ? 9 : 8);
            string step = kind switch
            {
                0 => FlipBits(data, random, protect),
                1 => SetBytes(data, random, protect),
                2 => Insert(data, random, protect),
                3 => Delete(data, random, protect),
                4 => Splice(data, random, pool, protect),
                5 => Duplicate(data, random, protect),
                6 => Truncate(data, random, protect),
                7 => FlipBits(data, random, protect),
                _ => Lie(data, fields, random, protect),
            };
            what.Append(step).Append("; ");
            if (data.Count > MaxInputBytes)
            {
                data.RemoveRange(MaxInputBytes, data.Count - MaxInputBytes);
            }
        }

        return (data.ToArray(), what.ToString().TrimEnd(' ', ';'));
    }

    private static int Position(List<byte> data, Random random, int protect, int extra = 0) =>
        protect + random.Next(Math.Max(1, data.Count - protect + extra));

    private static string FlipBits(List<byte> data, Random random, int protect)
    {
        if (data.Count <= protect)
        {
            return "flip (nothing to flip)";
        }

        int flips = 1 + random.Next(4);
        int first = -1;
        for (int i = 0; i < flips; i++)
        {
            int at = Position(data, random, protect);
            first = first < 0 ? at : first;
            data[at] ^= (byte)(1 << random.Next(8));
        }

        return $"flip {flips} bit(s) from {first}";
    }

    private static string SetBytes(List<byte> data, Random random, int protect)
    {
        if (data.Count <= protect)
        {
            return "set (nothing to set)";
        }

        int at = Position(data, random, protect);
        int n = 1 + random.Next(Math.Min(8, data.Count - at));
        for (int i = 0; i < n; i++)
        {
            data[at + i] = random.Next(2) == 0 ? s_interesting[random.Next(s_interesting.Length)] : (byte)random.Next(256);
        }

        return $"set {n} byte(s) at {at}";
    }

    private static string Insert(List<byte> data, Random random, int protect)
    {
        int at = Position(data, random, protect, extra: 1);
        int n = 1 + random.Next(MaxChunk);
        byte fill = (byte)random.Next(256);
        bool repeat = random.Next(2) == 0;
        data.InsertRange(Math.Min(at, data.Count), Enumerable.Range(0, n).Select(_ => repeat ? fill : (byte)random.Next(256)));
        return $"insert {n} byte(s) at {at}";
    }

    private static string Delete(List<byte> data, Random random, int protect)
    {
        if (data.Count <= protect)
        {
            return "delete (nothing to delete)";
        }

        int at = Position(data, random, protect);
        int n = 1 + random.Next(Math.Min(MaxChunk, data.Count - at));
        data.RemoveRange(at, n);
        return $"delete {n} byte(s) at {at}";
    }

    // The head of this input and the tail of another: formats meet in the middle (a zip's members and a pickle's
    // opcodes, a header and someone else's body).
    private static string Splice(List<byte> data, Random random, IReadOnlyList<FuzzSeed> pool, int protect)
    {
        FuzzSeed other = pool[random.Next(pool.Count)];
        int cut = Position(data, random, protect, extra: 1);
        int from = random.Next(Math.Max(1, other.Data.Length));
        data.RemoveRange(Math.Min(cut, data.Count), data.Count - Math.Min(cut, data.Count));
        data.AddRange(other.Data.Skip(from));
        return $"splice at {cut} with {other.Name} from {from}";
    }

    private static string Duplicate(List<byte> data, Random random, int protect)
    {
        if (data.Count <= protect)
        {
            return "duplicate (nothing to duplicate)";
        }

        int from = Position(data, random, protect);
        int n = 1 + random.Next(Math.Min(MaxChunk * 4, data.Count - from));
        byte[] block = data.GetRange(from, n).ToArray();
        int to = Position(data, random, protect, extra: 1);
        data.InsertRange(Math.Min(to, data.Count), block);
        return $"duplicate {n} byte(s) from {from} to {to}";
    }

    private static string Truncate(List<byte> data, Random random, int protect)
    {
        int at = Position(data, random, protect);
        if (at >= data.Count)
        {
            return "truncate (nothing to cut)";
        }

        data.RemoveRange(at, data.Count - at);
        return $"truncate at {at}";
    }

    private static string Lie(List<byte> data, IReadOnlyList<LengthField> fields, Random random, int protect)
    {
        LengthField field = fields[random.Next(fields.Count)];
        if (field.Offset < protect || field.Offset + field.Width > data.Count)
        {
            return "lie (field protected)";
        }

        ulong original = Read(data, field);
        ulong remaining = (ulong)(data.Count - field.Offset - field.Width);
        ulong max = field.Width >= 8 || field.Encoding == LengthEncoding.Varint ? ulong.MaxValue : (1UL << (8 * field.Width)) - 1;
        ulong[] choices =
        {
            0, 1, original - 1, original + 1, original * 2, original / 2, remaining, remaining + 1, remaining - 1,
            max, max - 1, max >> 1, (max >> 1) + 1, 0x7FFF_FFFF, 0x8000_0000, 1UL << 63, (ulong)random.NextInt64(),
        };
        ulong value = choices[random.Next(choices.Length)] & max;
        Write(data, field, value);
        return $"lie at {field.Offset} ({field.Encoding} {field.Width}): {original} -> {value}";
    }

    private static ulong Read(List<byte> data, LengthField field)
    {
        Span<byte> bytes = stackalloc byte[8];
        switch (field.Encoding)
        {
            case LengthEncoding.LittleEndian:
                for (int i = 0; i < field.Width; i++)
                {
                    bytes[i] = data[field.Offset + i];
                }

                return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            case LengthEncoding.BigEndian:
                for (int i = 0; i < field.Width; i++)
                {
                    bytes[8 - field.Width + i] = data[field.Offset + i];
                }

                return BinaryPrimitives.ReadUInt64BigEndian(bytes);
            case LengthEncoding.Varint:
                ulong value = 0;
                for (int i = 0; i < field.Width; i++)
                {
                    value |= (ulong)(data[field.Offset + i] & 0x7F) << (7 * i);
                }

                return value;
            default:
                ulong octal = 0;
                for (int i = 0; i < field.Width && data[field.Offset + i] is >= (byte)'0' and <= (byte)'7'; i++)
                {
                    octal = octal * 8 + (ulong)(data[field.Offset + i] - '0');
                }

                return octal;
        }
    }

    private static void Write(List<byte> data, LengthField field, ulong value)
    {
        switch (field.Encoding)
        {
            case LengthEncoding.LittleEndian:
                for (int i = 0; i < field.Width; i++)
                {
                    data[field.Offset + i] = (byte)(value >> (8 * i));
                }

                break;
            case LengthEncoding.BigEndian:
                for (int i = 0; i < field.Width; i++)
                {
                    data[field.Offset + i] = (byte)(value >> (8 * (field.Width - 1 - i)));
                }

                break;
            case LengthEncoding.Varint:
                var encoded = new List<byte>();
                do
                {
                    byte b = (byte)(value & 0x7F);
                    value >>= 7;
                    encoded.Add(value == 0 ? b : (byte)(b | 0x80));
                }
                while (value != 0);

                data.RemoveRange(field.Offset, field.Width);
                data.InsertRange(field.Offset, encoded);
                break;
            default:
                string digits = Convert.ToString((long)(value & 0x1FF_FFFF_FFFF), 8).PadLeft(field.Width, '0');
                for (int i = 0; i < field.Width; i++)
                {
                    data[field.Offset + i] = (byte)digits[digits.Length - field.Width + i];
                }

                break;
        }
    }
}
