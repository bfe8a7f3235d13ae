using System.Runtime.CompilerServices;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>
/// Walks the items of an R serialization stream as R's ReadItem reads them (serialize.c): flags (type, levels,
/// object, attribute and tag bits), the reference table of symbols and environments, pairlists and their cousins
/// (calls, closures, promises) cell by cell, vectors skipped by length, byte code with its constant pools, ALTREP
/// wrappers, namespace references. Nothing is built: the walk records what loading or using the object would run
/// (<see cref="RWalkFacts"/>). Pairlist tails are followed in a loop and everything else recurses under a depth cap,
/// so a deep or long stream ends as a limit, never as a stack overflow.
/// </summary>
internal sealed class RItemWalker
{
    // Most objects nest a few dozen levels, but a dendrogram nests one level a merge (a single-linkage tree of n
    // leaves is n deep), and R reads those as deep as its C stack allows. Past this the stream is taken as built to be
    // deep; a thread whose stack runs short first ends the walk as the same limit (TryEnsureSufficientExecutionStack).
    private const int MaxDepth = 5000;

    // Symbols and environments a stream defines; a large workspace has tens of thousands.
    private const int MaxReferences = 1 << 20;

    // Characters kept of a string: names and commands are short; data strings are skipped past this.
    private const int KeptString = 4096;

    // levels bit 15 of a pairlist cell (R's ACTIVE_BINDING_MASK): the binding's value is a function called on access.
    private const int ActiveBindingMask = 1 << 15;

    private readonly RStreamReader _reader;
    private readonly RWalkFacts _facts;
    private readonly bool _workspace;
    private readonly List<string?> _references = new();
    private RPromiseRecord? _promise;
    private RActiveBindingRecord? _activeBinding;
    private List<string>? _capture;
    private string? _binding;

    /// <summary>A walk of <paramref name="reader"/>'s stream into <paramref name="facts"/>; <paramref name="workspace"/> for a save()
    /// workspace (.RData), whose top item is a pairlist of variables.</summary>
    public RItemWalker(RStreamReader reader, RWalkFacts facts, bool workspace)
    {
        _reader = reader;
        _facts = facts;
        _workspace = workspace;
    }

    /// <summary>Walks the stream's one top-level item.</summary>
    public void Walk() => Read(0, RCodeContext.Data);

    private RItem Read(int depth, RCodeContext context)
    {
        if (depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new ScanLimitExceededException(nameof(MaxDepth), $"the R object nests more than {Math.Min(depth, MaxDepth)} levels deep", _reader.Position);
        }

        long at = _reader.Position;
        return Read(_reader.Int(), at, depth, context);
    }

    private RItem Read(int flags, long at, int depth, RCodeContext context)
    {
        int type = flags & 0xFF;
        bool hasAttributes = (flags & (1 << 9)) != 0;
        switch (type)
        {
            case RSexpType.NilValue or RSexpType.EmptyEnvironment or RSexpType.BaseEnvironment or RSexpType.GlobalEnvironment
                or RSexpType.UnboundValue or RSexpType.MissingArgument or RSexpType.BaseNamespace:
                return new RItem(type);
            case RSexpType.Reference:
                return Reference(flags, at, context);
            case RSexpType.Persistent or RSexpType.Package:
                StringVector(depth);
                AddReference(null, at);
                return new RItem(type);
            case RSexpType.Namespace:
                IReadOnlyList<string?> info = StringVector(depth);
                AddReference(null, at);
                if (info.Count > 0 && info[0] is { } ns)
                {
                    _facts.Namespaces.Add(ns);
                }

                return new RItem(type);
            case RSexpType.Symbol:
            {
                string name = Read(depth + 1, RCodeContext.Data).Text ?? "";
                AddReference(name, at);
                NoteSymbol(name, context, at);
                return new RItem(type, name);
            }

            case RSexpType.Environment:
                _reader.Int(); // locked
                AddReference(null, at);
                Read(depth + 1, RCodeContext.Data); // enclosing environment
                Read(depth + 1, RCodeContext.Data); // frame: a pairlist of bindings
                Read(depth + 1, RCodeContext.Data); // hash table: a list of pairlists of bindings
                Read(depth + 1, RCodeContext.Data); // attributes
                return new RItem(type);
            case RSexpType.PairList or RSexpType.Language or RSexpType.Closure or RSexpType.Promise or RSexpType.Dots:
                return Cells(flags, at, depth, context);
            case RSexpType.Altrep:
                return Altrep(at, depth);
            case RSexpType.ClassReference or RSexpType.GenericReference:
                throw new ModelFormatException($"an R class or generic reference (type {type}), which R refuses to read", at);
        }

        RItem item = Vector(type, at, depth, context);
        if (hasAttributes)
        {
            Read(depth + 1, RCodeContext.Data);
        }

        return item;
    }

    // Types whose attributes follow their contents.
    private RItem Vector(int type, long at, int depth, RCodeContext context)
    {
        switch (type)
        {
            case RSexpType.Nil or RSexpType.S4:
                return new RItem(type);
            case RSexpType.Special or RSexpType.Builtin:
            {
                string name = _reader.String(_reader.Int(), KeptString);
                NoteSymbol(name, context, at);
                return new RItem(type, name);
            }

            case RSexpType.Char:
            {
                int length = _reader.Int();
                if (length == -1)
                {
                    return new RItem(type); // NA_STRING
                }

                string text = _reader.String(length, KeptString);
                if (context != RCodeContext.Data)
                {
                    if (_facts.CodeStrings.Count < RWalkFacts.MaxKept * 4)
                    {
                        _facts.CodeStrings.Add(text);
                    }

                    // do.call("system", …), get("system"), match.fun("system"): a graded function named by a string
                    // in code is called the same way.
                    if (RCallGrades.Execution.Contains(text) || RCallGrades.Network.Contains(text))
                    {
                        NoteSymbol(text, context, at);
                    }
                }

                return new RItem(type, Text: text);
            }

            case RSexpType.Logical or RSexpType.Integer:
                _reader.SkipNumbers(Length(at), 4);
                return new RItem(type);
            case RSexpType.Real:
                _reader.SkipNumbers(Length(at), 8);
                return new RItem(type);
            case RSexpType.Complex:
                _reader.SkipNumbers(checked(Length(at) * 2), 8);
                return new RItem(type);
            case RSexpType.Raw:
                _reader.SkipRaw(Length(at));
                return new RItem(type);
            case RSexpType.String:
            {
                long count = Length(at);
                for (long i = 0; i < count; i++)
                {
                    Read(depth + 1, context);
                }

                return new RItem(type);
            }

            case RSexpType.Vector or RSexpType.Expression:
            {
                // An expression vector is code kept as data (parse() output), as a call object is.
                RCodeContext items = type == RSexpType.Expression && context == RCodeContext.Data ? RCodeContext.Language : context;
                long count = Length(at);
                for (long i = 0; i < count; i++)
                {
                    Read(depth + 1, items);
                }

                return new RItem(type);
            }

            case RSexpType.ByteCode:
                ByteCode(at, depth, context == RCodeContext.Data ? RCodeContext.Function : context);
                return new RItem(type);
            case RSexpType.ExternalPointer:
                AddReference(null, at);
                Read(depth + 1, RCodeContext.Data); // protected value
                Read(depth + 1, RCodeContext.Data); // tag
                return new RItem(type);
            case RSexpType.WeakReference:
                AddReference(null, at);
                return new RItem(type);
            default:
                throw new ModelFormatException($"R item type {type}, which no version of R writes", at);
        }
    }

    // A pairlist, call, closure, promise or ... cell: [attributes] [tag] CAR CDR, where a list's CDR is its next cell.
    private RItem Cells(int flags, long at, int depth, RCodeContext context)
    {
        int firstType = flags & 0xFF;
        while (true)
        {
            int type = flags & 0xFF;
            int levels = (int)(unchecked((uint)flags) >> 12);
            if ((flags & (1 << 9)) != 0)
            {
                Read(depth + 1, RCodeContext.Data);
            }

            RItem tag = (flags & (1 << 10)) != 0 ? Read(depth + 1, RCodeContext.Data) : default;
            switch (type)
            {
                case RSexpType.Closure:
                    // The tag is the closure's environment; CAR its formals, CDR its body.
                    Read(depth + 1, RCodeContext.Function);
                    Read(depth + 1, RCodeContext.Function);
                    return new RItem(type);
                case RSexpType.Promise:
                    return Promise(depth, at);
                case RSexpType.Language:
                    // A call: CAR the function, CDR the arguments (a pairlist read in the same context).
                    context = context == RCodeContext.Data ? RCodeContext.Language : context;
                    if (_promise is { } promise && context == RCodeContext.Promise)
                    {
                        promise.HasCall = true;
                    }

                    Read(depth + 1, context);
                    break;
                case RSexpType.PairList:
                    Binding(tag, levels, at, depth, context);
                    break;
                default:
                    Read(depth + 1, context); // a ... cell
                    break;
            }

            at = _reader.Position;
            flags = _reader.Int();
            if ((flags & 0xFF) != RSexpType.PairList)
            {
                Read(flags, at, depth + 1, context);
                return new RItem(firstType);
            }
        }
    }

    // A pairlist cell's value: in data, the tag names a variable (a workspace object, an environment binding).
    private void Binding(RItem tag, int levels, long at, int depth, RCodeContext context)
    {
        string? saved = _binding;
        RActiveBindingRecord? savedActive = _activeBinding;
        if (context == RCodeContext.Data && tag.Symbol is { } name)
        {
            _binding = name;
            if ((levels & ActiveBindingMask) != 0)
            {
                _activeBinding = new RActiveBindingRecord(at, name);
                if (_facts.ActiveBindings.Count < RWalkFacts.MaxKept)
                {
                    _facts.ActiveBindings.Add(_activeBinding);
                }
            }
        }

        RItem value = Read(depth + 1, context);
        _activeBinding = savedActive;
        if (_workspace && depth == 0 && tag.Symbol is ".First" or ".Last" && value.Type == RSexpType.Closure)
        {
            _facts.StartupHooks.Add((tag.Symbol!, at));
        }

        _binding = saved;
    }

    // [environment tag read by the caller] CAR the value, CDR the expression. A promise whose value is unbound was
    // never forced: its expression runs the first time the object is used.
    private RItem Promise(int depth, long at)
    {
        RItem value = Read(depth + 1, RCodeContext.Data);
        bool unevaluated = value.Type == RSexpType.UnboundValue;
        RPromiseRecord? saved = _promise;
        if (unevaluated)
        {
            // The file's object, or a workspace variable's value: what the user touches first.
            _promise = new RPromiseRecord(at, _binding, depth == 0 || (_workspace && depth == 1));
        }

        Read(depth + 1, RCodeContext.Promise);
        if (unevaluated && _facts.Promises.Count < RWalkFacts.MaxKept)
        {
            _facts.Promises.Add(_promise!);
        }

        _promise = saved;
        return new RItem(RSexpType.Promise);
    }

    // ALTREP: a class info pairlist (class symbol, package symbol, type), the state and the attributes. unserialize
    // hands the state to the class's own method, from the package that registered it.
    private RItem Altrep(long at, int depth)
    {
        List<string>? saved = _capture;
        _capture = new List<string>();
        Read(depth + 1, RCodeContext.Data);
        List<string> names = _capture;
        _capture = saved;
        // R finds the class by name and package (loading the package to find it), so a base class name is base R's
        // only when the package is base.
        bool baseClass = names.Count > 1 && names[1] == "base" && RCallGrades.BaseAltrepClasses.Contains(names[0]);
        if (names.Count > 0 && !baseClass && _facts.AltrepClasses.Count < RWalkFacts.MaxKept)
        {
            _facts.AltrepClasses.Add((names.Count > 1 ? names[1] + "::" : "") + names[0]);
        }

        Read(depth + 1, RCodeContext.Data); // state
        Read(depth + 1, RCodeContext.Data); // attributes
        return new RItem(RSexpType.Altrep);
    }

    // Byte code (serialize.c ReadBC): the number of repeated cells, then the code vector and its constant pool, whose
    // calls and pairlists are written in a form of their own (ReadBCLang).
    private void ByteCode(long at, int depth, RCodeContext context)
    {
        int repeats = _reader.Int();
        if (repeats < 0)
        {
            throw new ModelFormatException($"R byte code with {repeats} repeated cells", at);
        }

        ByteCodeBody(depth + 1, context);
    }

    private void ByteCodeBody(int depth, RCodeContext context)
    {
        if (depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new ScanLimitExceededException(nameof(MaxDepth), $"the R object nests more than {Math.Min(depth, MaxDepth)} levels deep", _reader.Position);
        }

        Read(depth + 1, context); // the code: an integer vector
        long at = _reader.Position;
        int constants = _reader.Int();
        if (constants < 0)
        {
            throw new ModelFormatException($"R byte code with {constants} constants", at);
        }

        for (int i = 0; i < constants; i++)
        {
            int type = _reader.Int();
            switch (type)
            {
                case RSexpType.ByteCode:
                    ByteCodeBody(depth + 1, context);
                    break;
                case RSexpType.Language or RSexpType.PairList or RSexpType.ByteCodeRepeatDefinition or RSexpType.ByteCodeRepeatReference
                    or RSexpType.AttributedLanguage or RSexpType.AttributedList:
                    ByteCodeLanguage(type, depth + 1, context);
                    break;
                default:
                    Read(depth + 1, context);
                    break;
            }
        }
    }

    // ReadBCLang: a cell is [repeat position] type [attributes] tag CAR CDR, CAR and CDR each led by their own type
    // word; a repeat reference is an index. The CDR chain is followed in a loop.
    private void ByteCodeLanguage(int type, int depth, RCodeContext context)
    {
        if (depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new ScanLimitExceededException(nameof(MaxDepth), $"the R object nests more than {Math.Min(depth, MaxDepth)} levels deep", _reader.Position);
        }

        while (true)
        {
            switch (type)
            {
                case RSexpType.ByteCodeRepeatReference:
                    _reader.Int();
                    return;
                case RSexpType.ByteCodeRepeatDefinition or RSexpType.Language or RSexpType.PairList
                    or RSexpType.AttributedLanguage or RSexpType.AttributedList:
                    if (type == RSexpType.ByteCodeRepeatDefinition)
                    {
                        _reader.Int(); // position
                        type = _reader.Int();
                    }

                    if (type is RSexpType.AttributedLanguage or RSexpType.AttributedList)
                    {
                        Read(depth + 1, RCodeContext.Data);
                    }

                    Read(depth + 1, RCodeContext.Data); // tag
                    ByteCodeLanguage(_reader.Int(), depth + 1, context); // CAR
                    type = _reader.Int(); // CDR
                    break;
                default:
                    Read(depth + 1, context);
                    return;
            }
        }
    }

    // A symbol or primitive named in code: graded functions are recorded, and kept for the promise being read.
    private void NoteSymbol(string name, RCodeContext context, long at)
    {
        if (_capture is { } capture && capture.Count < 4)
        {
            capture.Add(name);
        }

        if (context == RCodeContext.Data)
        {
            return;
        }

        if (_activeBinding is { } active)
        {
            active.NamesDangerous |= IsDangerous(name);
        }

        if (_promise is { } promise)
        {
            if (promise.Symbols.Count < RPromiseRecord.MaxSymbols && !promise.Symbols.Contains(name))
            {
                promise.Symbols.Add(name);
            }

            promise.NamesDangerous |= IsDangerous(name);
        }

        if (RCallGrades.Execution.Contains(name) || RCallGrades.Network.Contains(name) || RCallGrades.CodeFromStrings.Contains(name))
        {
            if (_facts.Calls.TryGetValue(name, out RCallSite? site))
            {
                site.Add(context, at, _binding);
            }
            else
            {
                _facts.Calls[name] = new RCallSite(name, context, at, _binding);
            }
        }
    }

    // What makes code that runs by itself (a promise when forced, an active binding when read) more than the
    // model's own arithmetic: commands, the network, computed code, file writes.
    private static bool IsDangerous(string name) =>
        RCallGrades.Execution.Contains(name) || RCallGrades.Network.Contains(name)
        || RCallGrades.DynamicEvaluation.Contains(name) || RCallGrades.FileWrites.Contains(name);

    private RItem Reference(int flags, long at, RCodeContext context)
    {
        int index = (int)(unchecked((uint)flags) >> 8);
        if (index == 0)
        {
            index = _reader.Int();
        }

        if (index < 1 || index > _references.Count)
        {
            throw new ModelFormatException($"an R reference to item {index}, but the stream has defined {_references.Count}", at);
        }

        string? symbol = _references[index - 1];
        if (symbol is not null)
        {
            NoteSymbol(symbol, context, at);
        }

        return new RItem(symbol is null ? RSexpType.Reference : RSexpType.Symbol, symbol);
    }

    private void AddReference(string? symbol, long at)
    {
        if (_references.Count >= MaxReferences)
        {
            throw new ScanLimitExceededException(nameof(MaxReferences), $"the R stream defines more than {MaxReferences:N0} symbols and environments", at);
        }

        _references.Add(symbol);
    }

    // InStringVec: a zero, a count, then that many CHARSXP items (a namespace's name and version).
    private IReadOnlyList<string?> StringVector(int depth)
    {
        long at = _reader.Position;
        if (_reader.Int() != 0)
        {
            throw new ModelFormatException("an R persistent string vector with names, which R refuses to read", at);
        }

        int count = _reader.Int();
        if (count is < 0 or > 1024)
        {
            throw new ModelFormatException($"an R persistent string vector of {count} strings", at);
        }

        var strings = new List<string?>(count);
        for (int i = 0; i < count; i++)
        {
            strings.Add(Read(depth + 1, RCodeContext.Data).Text);
        }

        return strings;
    }

    // ReadLENGTH: a length, or -1 then the upper and lower 32 bits of a long vector's length.
    private long Length(long at)
    {
        int length = _reader.Int();
        if (length >= 0)
        {
            return length;
        }

        if (length != -1)
        {
            throw new ModelFormatException($"an R vector of length {length}", at);
        }

        long upper = unchecked((uint)_reader.Int());
        long lower = unchecked((uint)_reader.Int());
        // R's long vectors stop at 2^52 elements (R_XLEN_T_MAX); past that the length is not one R wrote.
        long total = (upper << 32) + lower;
        return total <= (1L << 52) ? total : throw new ModelFormatException($"an R long vector of {total:N0} elements", at);
    }

    private readonly record struct RItem(int Type, string? Symbol = null, string? Text = null);
}
