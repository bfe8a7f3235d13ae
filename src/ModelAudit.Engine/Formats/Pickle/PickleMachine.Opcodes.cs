using System.Numerics;
using System.Text;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>The opcode dispatch: what each of the protocol 0–5 opcodes does to the symbolic stack, memo and handler.</summary>
internal sealed partial class PickleMachine
{
    private void Execute(PickleOpcode op, long offset)
    {
        switch (op)
        {
            case PickleOpcode.Mark:
                _marks.Add(_stack.Count);
                CheckStack(offset);
                break;
            case PickleOpcode.Pop:
                if (_marks.Count > 0 && _marks[^1] == _stack.Count)
                {
                    _marks.RemoveAt(_marks.Count - 1);
                }
                else
                {
                    Pop();
                }

                break;
            case PickleOpcode.PopMark:
                PopMark();
                break;
            case PickleOpcode.Dup:
                Push(Peek(), offset);
                break;
            case PickleOpcode.Float:
                Push(PValue.Float(ParseFloat(ReadLine(MaxNumberLine), offset)), offset);
                break;
            case PickleOpcode.Int:
                Push(ParseIntLine(ReadLine(MaxNumberLine), offset), offset);
                break;
            case PickleOpcode.BinInt:
                Push(PValue.Int(_reader.ReadInt32()), offset);
                break;
            case PickleOpcode.BinInt1:
                Push(PValue.Int(_reader.ReadByte()), offset);
                break;
            case PickleOpcode.BinInt2:
                Push(PValue.Int(_reader.ReadUInt16()), offset);
                break;
            case PickleOpcode.Long:
                Push(ParseLongLine(ReadLine(MaxNumberLine), offset), offset);
                break;
            case PickleOpcode.Long1:
                Push(ReadBinaryLong(_reader.ReadByte(), offset), offset);
                break;
            case PickleOpcode.Long4:
            {
                int n = _reader.ReadInt32();
                if (n < 0)
                {
                    throw new PickleRejectedException("LONG4 with a negative byte count", offset);
                }

                Push(ReadBinaryLong(n, offset), offset);
                break;
            }

            case PickleOpcode.None:
                Push(PValue.NoneValue, offset);
                break;
            case PickleOpcode.NewTrue:
                Push(PValue.True, offset);
                break;
            case PickleOpcode.NewFalse:
                Push(PValue.False, offset);
                break;
            case PickleOpcode.BinFloat:
                Push(PValue.Float(_reader.ReadDoubleBigEndian()), offset);
                break;
            case PickleOpcode.String:
                PushTextArgument(ReadLine(_limits.MaxPickleInlineBytes), quoted: true, offset);
                break;
            case PickleOpcode.BinString:
            {
                int n = _reader.ReadInt32();
                if (n < 0)
                {
                    throw new PickleRejectedException("BINSTRING with a negative length", offset);
                }

                ReadPayload(n, PValueKind.Str, latin1: true, offset);
                break;
            }

            case PickleOpcode.ShortBinString:
                ReadPayload(_reader.ReadByte(), PValueKind.Str, latin1: true, offset);
                break;
            case PickleOpcode.Unicode:
                PushTextArgument(ReadLine(_limits.MaxPickleInlineBytes), quoted: false, offset);
                break;
            case PickleOpcode.BinUnicode:
                ReadPayload(_reader.ReadUInt32(), PValueKind.Str, latin1: false, offset);
                break;
            case PickleOpcode.ShortBinUnicode:
                ReadPayload(_reader.ReadByte(), PValueKind.Str, latin1: false, offset);
                break;
            case PickleOpcode.BinUnicode8:
                ReadPayload(ReadLength64(offset), PValueKind.Str, latin1: false, offset);
                break;
            case PickleOpcode.BinBytes:
                ReadPayload(_reader.ReadUInt32(), PValueKind.Bytes, latin1: false, offset);
                break;
            case PickleOpcode.ShortBinBytes:
                ReadPayload(_reader.ReadByte(), PValueKind.Bytes, latin1: false, offset);
                break;
            case PickleOpcode.BinBytes8:
            case PickleOpcode.ByteArray8:
                ReadPayload(ReadLength64(offset), PValueKind.Bytes, latin1: false, offset);
                break;
            case PickleOpcode.NextBuffer:
                Push(PValue.Buffer(offset), offset);
                break;
            case PickleOpcode.ReadOnlyBuffer:
                Peek();
                break;
            case PickleOpcode.EmptyTuple:
                Push(PValue.Container(PValueKind.Tuple), offset);
                break;
            case PickleOpcode.Tuple:
                Push(PValue.Container(PValueKind.Tuple, PopMark()), offset);
                break;
            case PickleOpcode.Tuple1:
            case PickleOpcode.Tuple2:
            case PickleOpcode.Tuple3:
            {
                int n = op - PickleOpcode.Tuple1 + 1;
                var items = new PValue[n];
                for (int i = n - 1; i >= 0; i--)
                {
                    items[i] = Pop();
                }

                Push(PValue.Container(PValueKind.Tuple, items), offset);
                break;
            }

            case PickleOpcode.EmptyList:
                Push(PValue.Container(PValueKind.List), offset);
                break;
            case PickleOpcode.List:
                Push(PValue.Container(PValueKind.List, PopMark()), offset);
                break;
            case PickleOpcode.EmptyDict:
                Push(PValue.Container(PValueKind.Dict), offset);
                break;
            case PickleOpcode.Dict:
            {
                List<PValue> items = PopMark();
                if (items.Count % 2 != 0)
                {
                    throw new PickleRejectedException("DICT with an odd number of items", offset);
                }

                Push(PValue.Container(PValueKind.Dict, items), offset);
                break;
            }

            case PickleOpcode.EmptySet:
                Push(PValue.Container(PValueKind.Set), offset);
                break;
            case PickleOpcode.FrozenSet:
                Push(PValue.Container(PValueKind.Set, PopMark()), offset);
                break;
            case PickleOpcode.Append:
            {
                PValue value = Pop();
                PValue target = Peek();
                AddItems(target, new[] { value }, "APPEND", offset);
                break;
            }

            case PickleOpcode.Appends:
            {
                List<PValue> items = PopMark();
                AddItems(Peek(), items, "APPENDS", offset);
                break;
            }

            case PickleOpcode.SetItem:
            {
                PValue value = Pop();
                PValue key = Pop();
                AddItems(Peek(), new[] { key, value }, "SETITEM", offset);
                break;
            }

            case PickleOpcode.SetItems:
            {
                List<PValue> items = PopMark();
                if (items.Count % 2 != 0)
                {
                    throw new PickleRejectedException("SETITEMS with an odd number of items", offset);
                }

                AddItems(Peek(), items, "SETITEMS", offset);
                break;
            }

            case PickleOpcode.AddItems:
            {
                List<PValue> items = PopMark();
                AddItems(Peek(), items, "ADDITEMS", offset);
                break;
            }

            case PickleOpcode.Get:
                Push(MemoGet(ParseMemoKey(ReadLine(MaxNumberLine), offset), offset), offset);
                break;
            case PickleOpcode.BinGet:
                Push(MemoGet(_reader.ReadByte(), offset), offset);
                break;
            case PickleOpcode.LongBinGet:
                Push(MemoGet(_reader.ReadUInt32(), offset), offset);
                break;
            case PickleOpcode.Put:
            {
                BigInteger key = ParseMemoKey(ReadLine(MaxNumberLine), offset);
                if (key.Sign < 0)
                {
                    throw new PickleRejectedException("negative PUT argument", offset);
                }

                MemoPut(key, offset);
                break;
            }

            case PickleOpcode.BinPut:
                MemoPut(_reader.ReadByte(), offset);
                break;
            case PickleOpcode.LongBinPut:
                // An unsigned 32-bit key: the pure-Python unpickler stores 0xFFFFFFFF as readily as 0.
                MemoPut(_reader.ReadUInt32(), offset);
                break;

            case PickleOpcode.Memoize:
                MemoPut(_memo.Count, offset);
                break;
            case PickleOpcode.Global:
            {
                string module = ReadName(offset);
                string name = ReadName(offset);
                Push(Import(module, name, "GLOBAL", offset), offset);
                break;
            }

            case PickleOpcode.StackGlobal:
            {
                PValue name = Pop();
                PValue module = Pop();
                if (module.AsString is { } m && name.AsString is { } n && !module.IsPartial && !name.IsPartial)
                {
                    Push(Import(m, n, "STACK_GLOBAL", offset), offset);
                }
                else if (IsNonString(module) || IsNonString(name))
                {
                    throw new PickleRejectedException("STACK_GLOBAL requires str", offset);
                }
                else
                {
                    _handler.OnDynamicImport(module, name, offset);
                    Push(PValue.Global("<dynamic>", "<dynamic>", offset), offset);
                }

                break;
            }

            case PickleOpcode.Inst:
            {
                // The pure-Python unpickler resolves the class before it looks for the MARK (the C one after):
                // the import happens even when the arguments are missing.
                string module = ReadName(offset);
                string name = ReadName(offset);
                PValue cls = Import(module, name, "INST", offset);
                List<PValue> args = PopMark();
                Push(Call(cls, PValue.Container(PValueKind.Tuple, args), "INST", offset), offset);
                break;
            }

            case PickleOpcode.Obj:
            {
                List<PValue> items = PopMark();
                if (items.Count == 0)
                {
                    throw new PickleRejectedException("OBJ without a class", offset);
                }

                PValue cls = items[0];
                Push(Call(cls, PValue.Container(PValueKind.Tuple, items.Skip(1)), "OBJ", offset), offset);
                break;
            }

            case PickleOpcode.Reduce:
            {
                PValue args = Pop();
                PValue callable = Pop();
                Push(Call(callable, args, "REDUCE", offset), offset);
                break;
            }

            case PickleOpcode.NewObj:
            {
                PValue args = Pop();
                PValue cls = Pop();
                var call = PValue.Call(cls, args, "NEWOBJ", offset);
                _handler.OnInstantiate(call);
                Push(call, offset);
                break;
            }

            case PickleOpcode.NewObjEx:
            {
                PValue kwargs = Pop();
                PValue args = Pop();
                PValue cls = Pop();
                var call = PValue.Call(cls, args, "NEWOBJ_EX", offset);
                call.AddAttributeSource(kwargs); // SimpleNamespace(**kwargs) and the like set instance attributes
                _handler.OnInstantiate(call);
                Push(call, offset);
                break;
            }

            case PickleOpcode.Build:
            {
                PValue state = Pop();
                PValue target = Peek();

                // joblib writes raw array bytes right after a wrapper's BUILD, outside any frame: check the
                // frame at the opcode itself, before the handler moves past those bytes.
                CheckFrame(offset);
                _frameChecked = true;
                if (target.Kind == PValueKind.Call)
                {
                    target.AddAttributeSource(state);
                }

                _handler.OnBuild(target, state, offset, this);
                break;
            }

            case PickleOpcode.Ext1:
                Push(_handler.OnExtension(_reader.ReadByte(), offset), offset);
                break;
            case PickleOpcode.Ext2:
                Push(_handler.OnExtension(_reader.ReadUInt16(), offset), offset);
                break;
            case PickleOpcode.Ext4:
                Push(_handler.OnExtension(_reader.ReadInt32(), offset), offset);
                break;
            case PickleOpcode.PersId:
            {
                var pid = PValue.Str(DecodeLatin1(ReadLine(MaxNumberLine).Kept), offset + 1);
                _handler.OnPersistentId(pid, offset);
                Push(PValue.Persistent(pid, offset), offset);
                break;
            }

            case PickleOpcode.BinPersId:
            {
                PValue pid = Pop();
                _handler.OnPersistentId(pid, offset);
                Push(PValue.Persistent(pid, offset), offset);
                break;
            }

            case PickleOpcode.Proto:
            {
                int protocol = _reader.ReadByte();
                _handler.OnProto(protocol, offset, _protoSeen);
                _protoSeen = true;
                if (protocol > 5)
                {
                    throw new PickleRejectedException($"unsupported pickle protocol {protocol}", offset);
                }

                Protocol = protocol;
                break;
            }

            case PickleOpcode.Frame:
            {
                long length = ReadLength64(offset);
                _reader.EnterFrame(length);
                long start = _reader.Position;

                // pickle.py refuses a FRAME while the current one has unread bytes ('beginning of a new frame before end
                // of current frame'); _pickle.c takes the new frame from its buffer and goes on. A FRAME that ends its
                // frame exactly is how the pickler chains frames: both accept it. A frame longer than the data is a
                // truncation, found when an opcode reads past the end (or at STOP, CheckFrameAtStop).
                if (_frameEnd >= 0 && start < _frameEnd)
                {
                    _handler.OnFrameViolation(
                        $"the FRAME at {offset} opens with {_frameEnd - start:N0} bytes of the frame ending at {_frameEnd} unread: pickle.py (pickle._Unpickler, joblib.load) "
                        + "refuses it ('beginning of a new frame before end of current frame'); _pickle.c reads the new frame from its buffer and goes on",
                        offset);
                }

                if (length > long.MaxValue - start)
                {
                    // No file holds it: both unpicklers fail reading it (a checked sum would throw OverflowException).
                    throw new PickleRejectedException($"a FRAME of {length:N0} bytes, longer than any file", offset);
                }

                _frameEnd = start + length;
                _frameStart = offset;
                _reader.TrackFrame(_frameEnd);
                break;
            }

            default:
                throw new PickleRejectedException($"invalid opcode 0x{(byte)op:x2}", offset);
        }
    }
}
