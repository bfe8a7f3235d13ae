using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Decides whether bytes may be a pickle by running the symbolic VM over them — the same VM that scans them, so there
/// is one definition of what a pickle is. Magic bytes cannot tell a protocol-0 pickle (plain text) from other text;
/// CPython accepts any opcode that pushes as a first opcode, PROTO or not.
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
    /// The detection test: false only when CPython's unpickler would fail on these bytes before doing anything a loader
    /// acts on (a call, a construction, an import of a denylisted module…). Running out of <paramref name="head"/> is
    /// not a failure when it is only the head of the content: the full scan then decides.
    /// </summary>
    public static bool IsPlausible(byte[] head, bool headIsWhole)
    {
        if (head.Length == 0 || !PickleOpcodes.IsDefined(head[0]))
        {
            return false;
        }

        var (outcome, handler) = Run(head, headIsWhole, readsLikeCFile: false);
        if (Plausible(outcome, handler, headIsWhole))
        {
            return true;
        }

        // An opcode crossed a FRAME's end: _pickle.c over a file without peek() reads on from that end, and may run
        // what this reading never reaches.
        if (!handler.SawFrameViolation)
        {
            return false;
        }

        var (cOutcome, cHandler) = Run(head, headIsWhole, readsLikeCFile: true);
        return Plausible(cOutcome, cHandler, headIsWhole);
    }

    private static bool Plausible(SniffOutcome outcome, SniffHandler handler, bool headIsWhole) => outcome switch
    {
        SniffOutcome.Stopped or SniffOutcome.Undecided => true,
        SniffOutcome.RanOut => !headIsWhole || handler.SawConsequence || handler.SawUnknownImport,
        _ => handler.SawConsequence || handler.SawUnknownImport,
    };

    /// <summary>
    /// True when <paramref name="data"/> (a whole payload, or the head of one when <paramref name="length"/> is longer
    /// or unknown) starts a pickle that does something: for payloads inside other data (trailing bytes, storage blobs,
    /// large arguments), where a plain run of opcodes is not enough.
    /// </summary>
    public static bool LooksLikePickle(ReadOnlySpan<byte> data, long? length, int minimumOpcodes = 3)
    {
        if (data.Length < 2 || !PickleOpcodes.IsDefined(data[0]))
        {
            return false;
        }

        bool whole = length is { } total && total <= data.Length;
        var (outcome, handler, completed) = RunCounting(data.ToArray(), whole);
        bool binary = data[0] == (byte)PickleOpcode.Proto;
        return outcome switch
        {
            SniffOutcome.Stopped => completed >= 1 && (binary || completed >= 2),
            SniffOutcome.RanOut when !whole => binary ? completed >= minimumOpcodes : (completed >= 4 && handler.SawImport) || completed >= 16,
            _ => handler.SawConsequence && completed >= minimumOpcodes,
        };
    }

    /// <summary>True when <paramref name="data"/> is a whole pickle, run to STOP: strict, for payloads inside other data.</summary>
    public static bool IsCompletePickle(byte[] data)
    {
        if (data.Length < 4 || !PickleOpcodes.IsDefined(data[0]))
        {
            return false;
        }

        var (outcome, handler, completed) = RunCounting(data, whole: true);
        return outcome == SniffOutcome.Stopped && completed >= 3 && (data[0] == (byte)PickleOpcode.Proto || handler.SawImport);
    }

    private static (SniffOutcome, SniffHandler) Run(byte[] data, bool whole, bool readsLikeCFile)
    {
        var (outcome, handler, _) = RunCounting(data, whole, readsLikeCFile);
        return (outcome, handler);
    }

    // A head of a longer payload is read forward-only, so an argument running past the head is an end of data
    // (the opcode counts as plausible) rather than a length error.
    private static (SniffOutcome Outcome, SniffHandler Handler, long Completed) RunCounting(byte[] data, bool whole, bool readsLikeCFile = false)
    {
        var handler = new SniffHandler();
        Stream stream = new MemoryStream(data, writable: false);
        var machine = new PickleMachine(new PickleReader(whole ? stream : new IO.ForwardOnlyStream(stream), endIsReal: whole, readsLikeCFile), handler, s_sniffLimits, CancellationToken.None);
        try
        {
            machine.Run();
            return (SniffOutcome.Stopped, handler, machine.OpcodeCount);
        }
        catch (EndOfStreamException)
        {
            return (SniffOutcome.RanOut, handler, whole ? Math.Max(0, machine.OpcodeCount - 1) : machine.OpcodeCount);
        }
        catch (ScanLimitExceededException)
        {
            return (SniffOutcome.Undecided, handler, machine.OpcodeCount);
        }
        catch (ModelFormatException)
        {
            return (SniffOutcome.Rejected, handler, Math.Max(0, machine.OpcodeCount - 1));
        }
    }

    private enum SniffOutcome
    {
        Stopped,
        RanOut,
        Rejected,
        Undecided,
    }
}
