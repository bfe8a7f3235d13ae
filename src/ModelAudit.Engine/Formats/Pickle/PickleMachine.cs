using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// A forward-only symbolic pickle VM mirroring CPython's C unpickler (protocols 0–5): real object and mark
/// stacks, a memo of symbolic values, FRAME validation, EXT resolution through the handler. It imports nothing
/// and builds no object: globals stay (module, name) pairs and calls stay records of callable and arguments.
/// </summary>
internal sealed partial class PickleMachine
{
    // Module and attribute names longer than this are not names any Python module has; past it the import is not
    // known exactly, which makes the stream Inconclusive (a limit), never an accepted guess.
    private const int MaxNameLine = 1 << 16;

    // Protocol-0 numbers and memo keys are kept up to this; longer ones are still accepted, as CPython accepts them.
    private const int MaxNumberLine = 1 << 12;
    private const int MaxBinaryLongBytes = 1 << 20;
    private const int PrefixSize = 4096;
    private const int SmallPrefixSize = 64;

    private readonly PickleReader _reader;
    private readonly IPickleHandler _handler;
    private readonly ScanLimits _limits;
    private readonly CancellationToken _cancellationToken;
    private readonly List<PValue> _stack = new();
    private readonly List<int> _marks = new();
    private readonly PickleMemo _memo;
    private long _frameEnd = -1;
    private long _frameStart = -1;
    private bool _protoSeen;
    private bool _frameChecked;
    private long _retained;

    /// <summary>A machine over one pickle stream. <paramref name="memo"/> is the unpickler's memo, shared by every
    /// stream read from the same file (CPython keeps it across load() calls); a fresh one for a pickle of its own.</summary>
    public PickleMachine(PickleReader reader, IPickleHandler handler, ScanLimits limits, CancellationToken cancellationToken, PickleMemo? memo = null)
    {
        _memo = memo ?? new PickleMemo();
        _reader = reader;
        _handler = handler;
        _limits = limits;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Protocol from PROTO (0 when the stream has none, as in CPython).</summary>
    public int Protocol { get; private set; }

    /// <summary>Opcodes executed so far.</summary>
    public long OpcodeCount { get; private set; }

    /// <summary>Offset of the first opcode of this stream.</summary>
    public long StartOffset { get; private set; }

    /// <summary>After <see cref="Run"/>: where the FRAME its STOP was read in ends, when bytes of that frame are left
    /// (-1 otherwise). pickle._Unpickler starts each load() with a new frame reader, so it drops them; the pickler
    /// ends a frame with its STOP, so a real file never has them.</summary>
    public long OpenFrameEnd => _frameEnd > _reader.Position ? _frameEnd : -1;

    /// <summary>The reader, for handlers of formats that interleave raw bytes with opcodes (joblib).</summary>
    public PickleReader Reader => _reader;

    private int Fence => _marks.Count > 0 ? _marks[^1] : 0;

    /// <summary>Runs one pickle to its STOP and returns the top of the stack.</summary>
    public PValue Run()
    {
        StartOffset = _reader.Position;
        while (true)
        {
            long offset = _reader.Position;
            if (++OpcodeCount > _limits.MaxPickleOpcodes)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxPickleOpcodes),
                    $"more than {_limits.MaxPickleOpcodes:N0} opcodes in one pickle", offset);
            }

            if ((OpcodeCount & 0xFFFF) == 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
            }

            byte op = _reader.ReadByte();
            if (op == (byte)PickleOpcode.Stop)
            {
                CheckFrame(offset);
                CheckFrameAtStop(offset);
                return Pop();
            }

            _frameChecked = false;
            try
            {
                Execute((PickleOpcode)op, offset);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !_frameChecked)
            {
                // An opcode that fails on what it read ('copyreg\n_reconstr\x8d…' is no name) may have read across the
                // frame's end: _pickle.c reads other bytes there, so the crossing must be graded before the failure.
                CheckFrame(offset);
                throw;
            }

            if (!_frameChecked)
            {
                CheckFrame(offset);
            }
        }
    }

    // Grades the reads of the opcode just run against the current frame (PickleFrameCrossing): only a read that starts
    // inside the frame and ends past it is read differently by CPython's unpicklers; one that starts exactly at the end
    // (the pickler's layout for large bytes objects) is read from the file by all of them.
    private void CheckFrame(long opcodeOffset)
    {
        if (_reader.TakeFrameCrossing() is { } crossing)
        {
            _handler.OnFrameViolation(crossing.Describe(), opcodeOffset);
            _frameEnd = -1;
        }
        else if (_frameEnd >= 0 && _reader.Position >= _frameEnd)
        {
            _frameEnd = -1;
        }
    }

    // STOP inside a FRAME that reaches past the end of the data: _pickle.c reads the whole frame first and fails,
    // pickle.py reads what is there and returns the object. Only knowable when the data's length is.
    private void CheckFrameAtStop(long stopOffset)
    {
        if (_frameEnd >= 0 && _frameStart >= 0 && _reader.Length is { } total && _frameEnd > total)
        {
            _handler.OnFrameViolation(
                $"the FRAME at {_frameStart} declares bytes up to {_frameEnd} but the data ends at {total}: _pickle.c refuses that frame "
                + $"('pickle data was truncated') and runs none of it; pickle.py (pickle._Unpickler, joblib.load) runs the opcodes that are there and returns at the STOP at {stopOffset}",
                _frameStart);
        }
    }

    /// <summary>Runs a complete pickle embedded at the reader's position (joblib object arrays) with a fresh stack and memo.</summary>
    public PValue RunEmbedded()
    {
        // A pickle of its own (numpy writes object arrays with a separate pickle.dump): its own memo, as on load.
        var inner = new PickleMachine(_reader, _handler, _limits, _cancellationToken, new PickleMemo());
        PValue result = inner.Run();
        OpcodeCount += inner.OpcodeCount;
        return result;
    }

    private PValue Import(string module, string name, string opcode, long offset)
    {
        (string m, string n) = PickleNames.Remap(module, name, Protocol);
        var global = PValue.Global(m, n, offset);
        _handler.OnImport(global, opcode, offset, module, name);
        return global;
    }

    private PValue Call(PValue callable, PValue args, string opcode, long offset)
    {
        var call = PValue.Call(callable, args, opcode, offset);
        return _handler.OnCall(call) ?? call;
    }

    private void AddItems(PValue target, IReadOnlyList<PValue> items, string opcode, long offset)
    {
        PValueKind natural = opcode switch
        {
            "APPEND" or "APPENDS" => PValueKind.List,
            "ADDITEMS" => PValueKind.Set,
            _ => PValueKind.Dict,
        };
        if (target.Kind == natural)
        {
            foreach (PValue item in items)
            {
                target.Add(item);
            }

            if (natural == PValueKind.Dict)
            {
                _handler.OnDictItems(items);
            }
        }
        else
        {
            // CPython calls the object's own append/extend/__setitem__/add: code of whatever class it is.
            _handler.OnMutate(target, opcode, items, offset);
        }
    }

    private void ReadPayload(long length, PValueKind kind, bool latin1, long offset)
    {
        if (length < 0)
        {
            throw new PickleRejectedException("negative length", offset);
        }

        _reader.BeginRead(length); // one read in _pickle.c, however the VM reads it
        long payloadOffset = _reader.Position;
        if (_reader.Length is { } total && length > total - payloadOffset)
        {
            // CPython reads what there is and fails: the data ends inside this argument.
            throw new EndOfStreamException();
        }

        if (length <= _limits.MaxPickleInlineBytes && _retained + length <= _limits.MaxPickleRetainedBytes)
        {
            _retained += length;
            byte[] data = _reader.ReadBytes((int)length);
            RefuseInvalidUtf8(data, kind, latin1, prefixOnly: false, offset);
            PValue value = kind == PValueKind.Bytes ? PValue.Bytes(data, payloadOffset)
                : PValue.Str(latin1 ? Encoding.Latin1.GetString(data) : DecodeUtf8(data), payloadOffset);
            PushConstant(value, offset);
            return;
        }

        int keep = (int)Math.Min(length, _retained < _limits.MaxPickleRetainedBytes ? PrefixSize : SmallPrefixSize);
        _retained += keep;
        byte[] prefix = _reader.ReadBytes(keep);
        RefuseInvalidUtf8(prefix, kind, latin1, prefixOnly: keep < length, offset);
        _reader.Skip(length - keep, _cancellationToken);
        PValue partial = kind == PValueKind.Bytes ? PValue.PartialBytes(prefix, length, payloadOffset)
            : PValue.PartialStr(latin1 ? Encoding.Latin1.GetString(prefix) : DecodeUtf8(prefix), length, payloadOffset);
        _handler.OnLargePayload(partial);
        Push(partial, offset);
    }

    // BINUNICODE's argument is decoded on the spot ('utf-8', 'surrogatepass'); bytes that are not fail the load there,
    // in both unpicklers, so nothing after them runs. (Protocol-2 strings, BINSTRING, decode with the loader's own
    // encoding, which varies: they are read as Latin-1 and never refused.)
    private static void RefuseInvalidUtf8(byte[] data, PValueKind kind, bool latin1, bool prefixOnly, long offset)
    {
        if (kind != PValueKind.Bytes && !latin1 && !SurrogatePassUtf8.IsValid(data, prefixOnly))
        {
            throw new PickleRejectedException("a string argument that is not UTF-8", offset);
        }
    }

    private void PushConstant(PValue value, long offset)
    {
        _handler.OnConstant(value);
        Push(value, offset);
    }

    private long ReadLength64(long offset)
    {
        ulong length = _reader.ReadUInt64();
        if (length > long.MaxValue)
        {
            throw new PickleRejectedException($"length {length} is out of range", offset);
        }

        return (long)length;
    }

    private PValue ReadBinaryLong(long count, long offset)
    {
        if (count > MaxBinaryLongBytes)
        {
            // CPython reads any size; the value is irrelevant to what the pickle runs, so skip it and keep a placeholder.
            _reader.Skip(count, _cancellationToken);
            return PValue.BigInt("<" + count.ToString(CultureInfo.InvariantCulture) + "-byte integer>");
        }

        byte[] data = _reader.ReadBytes((int)count);
        if (count <= 8)
        {
            Span<byte> buffer = stackalloc byte[8];
            byte fill = count > 0 && (data[^1] & 0x80) != 0 ? (byte)0xFF : (byte)0;
            buffer.Fill(fill);
            data.CopyTo(buffer);
            return PValue.Int(BinaryPrimitives.ReadInt64LittleEndian(buffer));
        }

        return PValue.BigInt(new BigInteger(data, isUnsigned: false, isBigEndian: false).ToString(CultureInfo.InvariantCulture));
    }

    private PValue MemoGet(long key, long offset) =>
        _memo.TryGet(key, out PValue value) ? value : throw new PickleRejectedException($"memo key {key} was never stored", offset);

    private PValue MemoGet(BigInteger key, long offset) =>
        _memo.TryGet(key, out PValue value) ? value : throw new PickleRejectedException($"memo key {key} was never stored", offset);

    private void MemoPut(long key, long offset)
    {
        CheckMemoBudget(offset);
        _memo.Put(key, Peek());
    }

    private void MemoPut(BigInteger key, long offset)
    {
        CheckMemoBudget(offset);
        _memo.Put(key, Peek());
    }

    private void CheckMemoBudget(long offset)
    {
        if (_memo.Count >= _limits.MaxPickleMemoEntries)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxPickleMemoEntries),
                $"more than {_limits.MaxPickleMemoEntries:N0} memo entries", offset);
        }
    }

    private void Push(PValue value, long offset)
    {
        _stack.Add(value);
        CheckStack(offset);
    }

    private void CheckStack(long offset)
    {
        if (_stack.Count + _marks.Count > _limits.MaxPickleStackDepth)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxPickleStackDepth),
                $"more than {_limits.MaxPickleStackDepth:N0} stack entries", offset);
        }
    }

    private PValue Pop()
    {
        if (_stack.Count <= Fence)
        {
            throw new PickleRejectedException("stack underflow", _reader.Position - 1);
        }

        PValue value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private PValue Peek()
    {
        if (_stack.Count <= Fence)
        {
            throw new PickleRejectedException("stack underflow", _reader.Position - 1);
        }

        return _stack[^1];
    }

    private List<PValue> PopMark()
    {
        if (_marks.Count == 0)
        {
            throw new PickleRejectedException("MARK expected but not found", _reader.Position - 1);
        }

        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        List<PValue> items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }
}
