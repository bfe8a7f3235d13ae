namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Whether bytes decode as CPython's <c>bytes.decode('utf-8', 'surrogatepass')</c> decodes the argument of
/// BINUNICODE, SHORT_BINUNICODE and BINUNICODE8: well-formed UTF-8 in which encoded surrogates (ED A0–BF xx) are
/// accepted too. Anything else fails the load with UnicodeDecodeError at that opcode.
/// </summary>
internal static class SurrogatePassUtf8
{
    /// <param name="data">The bytes.</param>
    /// <param name="prefixOnly">True when <paramref name="data"/> is the head of a longer argument: a sequence cut at
    /// its end is judged by the bytes that follow, which are not here.</param>
    public static bool IsValid(ReadOnlySpan<byte> data, bool prefixOnly = false)
    {
        int i = 0;
        while (i < data.Length)
        {
            byte b = data[i];
            if (b < 0x80)
            {
                i++;
                continue;
            }

            int length = b switch
            {
                >= 0xC2 and <= 0xDF => 2,
                >= 0xE0 and <= 0xEF => 3,
                >= 0xF0 and <= 0xF4 => 4,
                _ => 0,
            };
            if (length == 0)
            {
                return false;
            }

            // The second byte's range depends on the lead (Unicode table 3-7), except that ED admits A0–BF: surrogates.
            (byte low, byte high) = b switch
            {
                0xE0 => ((byte)0xA0, (byte)0xBF),
                0xF0 => ((byte)0x90, (byte)0xBF),
                0xF4 => ((byte)0x80, (byte)0x8F),
                _ => ((byte)0x80, (byte)0xBF),
            };
            for (int k = 1; k < length; k++)
            {
                if (i + k >= data.Length)
                {
                    return prefixOnly;
                }

                byte next = data[i + k];
                if (k == 1 ? next < low || next > high : next < 0x80 || next > 0xBF)
                {
                    return false;
                }
            }

            i += length;
        }

        return true;
    }
}
