using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Decides whether bytes are a pickle by running the symbolic VM over them: magic bytes alone cannot tell a
/// protocol-0 pickle (plain text) from other text, and the VM's stack discipline rejects random data quickly.
/// </summary>
internal static class PickleSniffer
{
    private static readonly ScanLimits s_sniffLimits = new()
    {
        MaxPickleOpcodes = 100_000,
        MaxPickleStackDepth = 100_000,
        MaxPickleMemoEntries = 100_000,
        MaxPickleInlineBytes = 1 << 16,
    };

    /// <summary>
    /// True when <paramref name="data"/> (a whole payload, or the head of one when <paramref name="length"/> is longer
    /// or unknown) starts a pickle. A stream that breaks after a convincing start still counts: a truncated or
    /// corrupted malicious pickle has run its payload before the loader fails.
    /// </summary>
    public static bool LooksLikePickle(ReadOnlySpan<byte> data, long? length, int minimumOpcodes = 3)
    {
        if (data.Length < 2 || !IsStartOpcode(data))
        {
            return false;
        }

        bool binary = data[0] == (byte)PickleOpcode.Proto;
        bool whole = length is { } total && total <= data.Length;
        var (stopped, completed, sawImport) = Run(data.ToArray(), whole);
        if (stopped)
        {
            return completed >= 1 && (binary || completed >= 2);
        }

        return binary ? completed >= minimumOpcodes : (completed >= 4 && sawImport) || completed >= 16;
    }

    /// <summary>True when <paramref name="data"/> is a whole pickle, run to STOP: strict, for payloads inside other data.</summary>
    public static bool IsCompletePickle(byte[] data)
    {
        if (data.Length < 4 || !IsStartOpcode(data))
        {
            return false;
        }

        var (stopped, completed, sawImport) = Run(data, whole: true);
        return stopped && completed >= 3 && (data[0] == (byte)PickleOpcode.Proto || sawImport);
    }

    // Opcodes that can stand first in a stream: they push without popping. CPython accepts any of them whatever the
    // protocol, so a crafted pickle need not start with PROTO.
    private static bool IsStartOpcode(ReadOnlySpan<byte> data) => data[0] switch
    {
        0x80 => data[1] <= 5,
        (byte)'(' or (byte)']' or (byte)'}' or (byte)')' or (byte)'c' or (byte)'N' or (byte)'I' or (byte)'L' or (byte)'F'
            or (byte)'S' or (byte)'V' or (byte)'U' or (byte)'T' or (byte)'X' or (byte)'J' or (byte)'K' or (byte)'M'
            or (byte)'G' or (byte)'P' or (byte)'B' or (byte)'C' => true,
        0x82 or 0x83 or 0x84 or 0x88 or 0x89 or 0x8A or 0x8B or 0x8C or 0x8D or 0x8E or 0x8F or 0x95 or 0x96 or 0x97 => true,
        _ => false,
    };

    // A head of a longer payload is read forward-only, so an argument running past the head is an end of data
    // (the opcode counts as plausible) rather than a length error.
    private static (bool Stopped, long Completed, bool SawImport) Run(byte[] data, bool whole)
    {
        var handler = new SniffHandler();
        Stream stream = new MemoryStream(data, writable: false);
        var machine = new PickleMachine(new PickleReader(whole ? stream : new IO.ForwardOnlyStream(stream)), handler, s_sniffLimits, CancellationToken.None);
        try
        {
            machine.Run();
            return (true, machine.OpcodeCount, handler.SawImport);
        }
        catch (EndOfStreamException)
        {
            return (false, whole ? Math.Max(0, machine.OpcodeCount - 1) : machine.OpcodeCount, handler.SawImport);
        }
        catch (Exception ex) when (ex is ModelFormatException or ScanLimitExceededException)
        {
            return (false, Math.Max(0, machine.OpcodeCount - 1), handler.SawImport);
        }
    }
}
