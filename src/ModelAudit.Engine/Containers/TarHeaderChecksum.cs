namespace ModelAudit.Engine.Containers;

/// <summary>Validates a tar header block's checksum (the header's bytes summed with the checksum field as spaces).</summary>
internal static class TarHeaderChecksum
{
    public static bool IsValid(ReadOnlySpan<byte> block)
    {
        if (block.Length < 512 || block[0] == 0)
        {
            return false;
        }

        ReadOnlySpan<byte> field = block.Slice(148, 8);
        long stored = 0;
        int digits = 0;
        foreach (byte b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                stored = stored * 8 + (b - '0');
                digits++;
            }
            else if (b is 0 or (byte)' ')
            {
                if (digits > 0)
                {
                    break;
                }
            }
            else
            {
                return false;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        long sum = 0;
        for (int i = 0; i < 512; i++)
        {
            sum += i is >= 148 and < 156 ? (byte)' ' : block[i];
        }

        return sum == stored;
    }
}
