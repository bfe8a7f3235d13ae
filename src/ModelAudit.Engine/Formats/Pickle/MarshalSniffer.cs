using System.Buffers.Binary;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Recognises a marshalled CPython code object: TYPE_CODE ('c', with or without FLAG_REF), small argument counts,
/// then the bytecode as a bytes object ('s' / 0xF3) right after the header fields of CPython 3.8–3.13.
/// </summary>
internal static class MarshalSniffer
{
    public static bool LooksLikeCode(ReadOnlySpan<byte> data) => HeaderFields(data) is not null;

    /// <summary>How many int32 header fields the code object at the start of <paramref name="data"/> has (5 for
    /// CPython 3.11+, 6 for 3.8–3.10), or null when the bytes are not a marshalled code object.</summary>
    public static int? HeaderFields(ReadOnlySpan<byte> data)
    {
        if (data.Length < 30 || data[0] is not (0x63 or 0xE3))
        {
            return null;
        }

        // 3.11+: argcount, posonlyargcount, kwonlyargcount, stacksize, flags (5 × int32), then co_code at 21.
        // 3.8–3.10: argcount, posonlyargcount, kwonlyargcount, nlocals, stacksize, flags (6 × int32), co_code at 25.
        return Matches(data, 5) ? 5 : Matches(data, 6) ? 6 : null;
    }

    private static bool Matches(ReadOnlySpan<byte> data, int fields)
    {
        int codeAt = 1 + 4 * fields;
        if (data.Length < codeAt + 5 || data[codeAt] is not (0x73 or 0xF3))
        {
            return false;
        }

        for (int i = 0; i < fields - 1; i++)
        {
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(data[(1 + 4 * i)..]);
            if (value > 4096)
            {
                return false;
            }
        }

        uint codeLength = BinaryPrimitives.ReadUInt32LittleEndian(data[(codeAt + 1)..]);
        return codeLength is > 0 and < 1 << 24 && codeLength % 2 == 0;
    }
}
