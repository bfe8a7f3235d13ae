using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// A deflate stream of zeros written by hand (RFC 1951), so a test gets a 1 GiB bomb in a millisecond instead of
/// compressing 1 GiB at run time: one dynamic-Huffman block whose codes are a literal 0 (2 bits), length 258 (1 bit), end of
/// block (2 bits) and distance 1 (1 bit). After the first zero every match copies 258 zeros for 2 bits, all of them
/// 0, so the body is plain zero bytes: deflate's best ratio, 1032:1.
/// </summary>
internal static class DeflateBomb
{
    /// <summary>Zeros expanded from each body byte: four 2-bit matches of 258 bytes.</summary>
    public const int BytesPerBodyByte = 4 * 258;

    /// <summary>The deflate stream for <paramref name="prefix"/>, then 1 + 1032 × <paramref name="bodyBytes"/> zeros
    /// (plus a few), then <paramref name="suffix"/>; and the length it inflates to. Prefix and suffix are stored blocks.</summary>
    public static (byte[] Deflate, long Length) Zeros(int bodyBytes, byte[]? prefix = null, byte[]? suffix = null)
    {
        var header = new BitWriter();
        if (prefix is not null)
        {
            header.Stored(prefix, final: false);
        }

        header.Bits(suffix is null ? 1 : 0, 1); // BFINAL
        header.Bits(2, 2);   // BTYPE = dynamic Huffman
        header.Bits(29, 5);  // HLIT: 286 literal/length codes (up to 285, length 258)
        header.Bits(0, 5);   // HDIST: 1 distance code
        header.Bits(14, 4);  // HCLEN: 18 code-length codes, in the order below up to symbol 1
        int[] order = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1 };
        // Code-length codes (canonical): 1 → 0, 2 → 10, 18 → 11. These lengths make the header end on an even bit,
        // so the zero bits after it are whole 2-bit matches.
        var codeLengthBits = new Dictionary<int, int> { [1] = 1, [2] = 2, [18] = 2 };
        foreach (int symbol in order)
        {
            header.Bits(codeLengthBits.GetValueOrDefault(symbol), 3);
        }

        void Length1() => header.Code(0b0, 1);
        void Length2() => header.Code(0b10, 2);
        void Zeros18(int count)
        {
            header.Code(0b11, 2);
            header.Bits(count - 11, 7);
        }

        Length2();            // literal 0
        Zeros18(138);         // literals 1–138
        Zeros18(117);         // literals 139–255
        Length2();            // 256, end of block
        Zeros18(28);          // lengths 257–284
        Length1();            // 285, length 258
        Length1();            // distance code 0, distance 1

        // Literal/length codes (canonical): 285 → 0, 0 → 10, 256 → 11. Distance 0 → 0.
        header.Code(0b10, 2); // the first zero, as a literal
        header.Flush(out byte[] head, out int pendingBits);
        if (pendingBits % 2 != 0)
        {
            throw new InvalidOperationException("the header must end on an even bit");
        }

        // The zero bits after the header (the rest of its last byte, then the body) are matches of 258 zeros; the
        // end-of-block code 11 starts the final byte.
        var tail = new BitWriter();
        tail.Code(0b11, 2);
        if (suffix is not null)
        {
            tail.Stored(suffix, final: true);
        }

        tail.Flush(out byte[] end, out _);
        var stream = new MemoryStream(head.Length + bodyBytes + end.Length);
        stream.Write(head);
        stream.Write(new byte[bodyBytes]);
        stream.Write(end);
        long matchBits = 8L * bodyBytes + (pendingBits > 0 ? 8 - pendingBits : 0);
        return (stream.ToArray(), (prefix?.Length ?? 0) + 1 + 258 * (matchBits / 2) + (suffix?.Length ?? 0));
    }

    /// <summary>A zip holding one deflated member of <paramref name="length"/> zeros, with its true CRC-32.</summary>
    public static byte[] Zip(string name, byte[] deflate, long length)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        uint crc = ZeroCrc(length);
        var zip = new MemoryStream();
        Span<byte> local = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(local, 0x04034B50);
        BinaryPrimitives.WriteUInt16LittleEndian(local[4..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(local[8..], 8);
        BinaryPrimitives.WriteUInt32LittleEndian(local[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(local[18..], checked((uint)deflate.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(local[22..], checked((uint)length));
        BinaryPrimitives.WriteUInt16LittleEndian(local[26..], (ushort)nameBytes.Length);
        zip.Write(local);
        zip.Write(nameBytes);
        zip.Write(deflate);

        long directory = zip.Position;
        Span<byte> central = stackalloc byte[46];
        BinaryPrimitives.WriteUInt32LittleEndian(central, 0x02014B50);
        BinaryPrimitives.WriteUInt16LittleEndian(central[4..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(central[6..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(central[10..], 8);
        BinaryPrimitives.WriteUInt32LittleEndian(central[16..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(central[20..], checked((uint)deflate.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(central[24..], checked((uint)length));
        BinaryPrimitives.WriteUInt16LittleEndian(central[28..], (ushort)nameBytes.Length);
        zip.Write(central);
        zip.Write(nameBytes);

        long end = zip.Position;
        Span<byte> record = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(record, 0x06054B50);
        BinaryPrimitives.WriteUInt16LittleEndian(record[8..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(record[10..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)(end - directory));
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], (uint)directory);
        zip.Write(record);
        return zip.ToArray();
    }

    /// <summary>CRC-32 of <paramref name="count"/> zero bytes without reading them: a zero byte is a linear map on
    /// the CRC register, so the map for n bytes is found by repeated squaring (zlib's crc32_combine does the same).</summary>
    public static uint ZeroCrc(long count)
    {
        // Register update for one zero bit (reflected polynomial), as a 32×32 matrix over GF(2): column i is the
        // image of bit i.
        uint[] oneBit = new uint[32];
        oneBit[0] = 0xEDB88320;
        for (int i = 1; i < 32; i++)
        {
            oneBit[i] = 1u << (i - 1);
        }

        uint[] oneByte = oneBit;
        for (int i = 0; i < 3; i++)
        {
            oneByte = Square(oneByte);
        }

        uint register = 0xFFFFFFFF;
        uint[] power = oneByte;
        for (long n = count; n > 0; n >>= 1)
        {
            if ((n & 1) != 0)
            {
                register = Apply(power, register);
            }

            power = Square(power);
        }

        return ~register;
    }

    private static uint Apply(uint[] matrix, uint vector)
    {
        uint result = 0;
        for (int i = 0; vector != 0; i++, vector >>= 1)
        {
            if ((vector & 1) != 0)
            {
                result ^= matrix[i];
            }
        }

        return result;
    }

    private static uint[] Square(uint[] matrix)
    {
        uint[] result = new uint[32];
        for (int i = 0; i < 32; i++)
        {
            result[i] = Apply(matrix, matrix[i]);
        }

        return result;
    }

    /// <summary>Deflate's bit order: fields least significant bit first, Huffman codes most significant bit first.</summary>
    private sealed class BitWriter
    {
        private readonly List<byte> _bytes = new();
        private int _bit;

        public void Bits(int value, int count)
        {
            for (int i = 0; i < count; i++)
            {
                Push((value >> i) & 1);
            }
        }

        public void Code(int code, int length)
        {
            for (int i = length - 1; i >= 0; i--)
            {
                Push((code >> i) & 1);
            }
        }

        /// <summary>A stored block: its 3 header bits, then padding to a byte, LEN, NLEN and the bytes.</summary>
        public void Stored(byte[] data, bool final)
        {
            Bits(final ? 1 : 0, 1);
            Bits(0, 2);
            _bit = 0;
            Bits(data.Length, 16);
            Bits(~data.Length & 0xFFFF, 16);
            _bytes.AddRange(data);
        }

        public void Flush(out byte[] bytes, out int pendingBits)
        {
            bytes = _bytes.ToArray();
            pendingBits = _bit;
        }

        private void Push(int bit)
        {
            if (_bit == 0)
            {
                _bytes.Add(0);
            }

            _bytes[^1] |= (byte)(bit << _bit);
            _bit = (_bit + 1) % 8;
        }
    }
}
