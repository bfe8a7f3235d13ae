using System.Globalization;
using System.Text;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// A symbolic value on the pickle VM's stack or memo. Nothing is ever turned into a live object: a global is
/// a (module, name) pair, a call is its callable and arguments. Containers keep only their first items so
/// memory stays bounded however many elements a pickle appends.
/// </summary>
internal sealed class PValue
{
    /// <summary>Container items kept for reconstruction and argument inspection.</summary>
    public const int MaxKeptItems = 64;

    public static readonly PValue NoneValue = new(PValueKind.None);

    // Small integers are shared: opcode-dense pickles push millions of them.
    private static readonly PValue[] s_smallInts = Enumerable.Range(-1, 1025).Select(i => new PValue(PValueKind.Int) { Number = i }).ToArray();
    public static readonly PValue True = new(PValueKind.Bool) { Scalar = true };
    public static readonly PValue False = new(PValueKind.Bool) { Scalar = false };

    private PValue(PValueKind kind) => Kind = kind;

    public PValueKind Kind { get; }

    /// <summary>BigInteger text, double, string or bool for scalar kinds (ints that fit a long are in <see cref="Number"/>).</summary>
    public object? Scalar { get; private init; }

    /// <summary>The value of an Int that fits a long (kept unboxed: one allocation per integer, not two).</summary>
    private long Number { get; init; }

    /// <summary>Bytes kept in memory (all of them, or a prefix when <see cref="IsPartial"/>).</summary>
    public byte[]? Data { get; private init; }

    /// <summary>Full length of a bytes or string value, even when only a prefix is kept.</summary>
    public long Length { get; private init; }

    /// <summary>True when a large bytes/string value was skipped and only its prefix kept.</summary>
    public bool IsPartial { get; private init; }

    /// <summary>Stream offset of the value's payload (bytes and strings), for nested scans by seek.</summary>
    public long PayloadOffset { get; private init; }

    /// <summary>Kept items of a tuple, list, set or dict (dict: key, value, key, value…).</summary>
    public List<PValue>? Items { get; private set; }

    /// <summary>Total items added, kept or not.</summary>
    public long Count { get; private set; }

    public string? Module { get; private init; }

    public string? Name { get; private init; }

    /// <summary>The callable of a call, or the pid of a persistent reference.</summary>
    public PValue? Callable { get; private init; }

    /// <summary>Arguments of a call (a tuple value).</summary>
    public PValue? Args { get; private init; }

    /// <summary>Opcode that made a call (REDUCE, NEWOBJ…).</summary>
    public string? Opcode { get; private init; }

    /// <summary>Stream offset of the opcode that made this value.</summary>
    public long Offset { get; private init; }

    /// <summary>For globals: whether it has been called, instantiated or had its attributes set.</summary>
    public GlobalUse Use { get; set; }

    public string QualifiedName => Module + "." + Name;

    public static PValue Int(long value) => value is >= -1 and <= 1023 ? s_smallInts[value + 1] : new(PValueKind.Int) { Number = value };

    public static PValue BigInt(string digits) => new(PValueKind.Int) { Scalar = digits };

    public static PValue Float(double value) => new(PValueKind.Float) { Scalar = value };

    public static PValue Str(string value, long offset) => new(PValueKind.Str) { Scalar = value, Length = value.Length, PayloadOffset = offset };

    public static PValue PartialStr(string prefix, long length, long offset) =>
        new(PValueKind.Str) { Scalar = prefix, Length = length, IsPartial = true, PayloadOffset = offset };

    public static PValue Bytes(byte[] data, long offset) => new(PValueKind.Bytes) { Data = data, Length = data.Length, PayloadOffset = offset };

    public static PValue PartialBytes(byte[] prefix, long length, long offset) =>
        new(PValueKind.Bytes) { Data = prefix, Length = length, IsPartial = true, PayloadOffset = offset };

    public static PValue Global(string module, string name, long offset) => new(PValueKind.Global) { Module = module, Name = name, Offset = offset };

    public static PValue Call(PValue callable, PValue args, string opcode, long offset) =>
        new(PValueKind.Call) { Callable = callable, Args = args, Opcode = opcode, Offset = offset };

    public static PValue Persistent(PValue pid, long offset) => new(PValueKind.Persistent) { Callable = pid, Offset = offset };

    public static PValue Buffer(long offset) => new(PValueKind.Buffer) { Offset = offset };

    public static PValue Container(PValueKind kind, IEnumerable<PValue>? items = null)
    {
        var value = new PValue(kind) { Items = new List<PValue>() };
        if (items is not null)
        {
            foreach (var item in items)
            {
                value.Add(item);
            }
        }

        return value;
    }

    /// <summary>Appends an item, keeping only the first <see cref="MaxKeptItems"/>.</summary>
    public void Add(PValue item)
    {
        Items ??= new List<PValue>();
        if (Items.Count < MaxKeptItems)
        {
            Items.Add(item);
        }

        Count++;
    }

    public string? AsString => Kind == PValueKind.Str ? (string?)Scalar : null;

    public long? AsLong => Kind == PValueKind.Int && Scalar is null ? Number : Kind == PValueKind.Bool && Scalar is bool b ? (b ? 1 : 0) : null;

    /// <summary>Item <paramref name="index"/> of a tuple or list, when kept.</summary>
    public PValue? Item(int index) => Items is { } items && index < items.Count ? items[index] : null;

    /// <summary>Dict lookup by string key among kept items.</summary>
    public PValue? Lookup(string key)
    {
        if (Kind != PValueKind.Dict || Items is null)
        {
            return null;
        }

        // A later SETITEM of the same key replaces the earlier one, as in the dict the unpickler builds.
        PValue? found = null;
        for (int i = 0; i + 1 < Items.Count; i += 2)
        {
            if (Items[i].AsString == key)
            {
                found = Items[i + 1];
            }
        }

        return found;
    }

    /// <summary>For constructed objects: the values that set its instance attributes, in order (NEWOBJ_EX keyword
    /// arguments, BUILD states), so a method looked up on the instance can be resolved.</summary>
    public List<PValue>? AttributeSources { get; private set; }

    public void AddAttributeSource(PValue source) => (AttributeSources ??= new List<PValue>(1)).Add(source);

    /// <summary>A one-line Python-like rendering, bounded in length: what a triager reads.</summary>
    public string Render(int budget = 160)
    {
        var sb = new StringBuilder();
        Render(sb, budget, 0);
        return sb.Length > budget ? sb.ToString(0, budget) + "…" : sb.ToString();
    }

    private void Render(StringBuilder sb, int budget, int depth)
    {
        if (sb.Length > budget || depth > 6)
        {
            sb.Append('…');
            return;
        }

        switch (Kind)
        {
            case PValueKind.None:
                sb.Append("None");
                break;
            case PValueKind.Bool:
                sb.Append((bool)Scalar! ? "True" : "False");
                break;
            case PValueKind.Int:
                sb.Append(Scalar is string digits ? digits : Number.ToString(CultureInfo.InvariantCulture));
                break;
            case PValueKind.Float:
                sb.Append(((double)Scalar!).ToString("R", CultureInfo.InvariantCulture));
                break;
            case PValueKind.Str:
                AppendQuoted(sb, (string)Scalar!, IsPartial ? Length : null);
                break;
            case PValueKind.Bytes:
                sb.Append('b');
                AppendQuoted(sb, Encoding.Latin1.GetString(Data!, 0, Math.Min(Data!.Length, 48)), Length > 48 ? Length : null, bytes: true);
                break;
            case PValueKind.Tuple:
                AppendItems(sb, "(", Count == 1 ? ",)" : ")", budget, depth);
                break;
            case PValueKind.List:
                AppendItems(sb, "[", "]", budget, depth);
                break;
            case PValueKind.Set:
                AppendItems(sb, "{", "}", budget, depth);
                break;
            case PValueKind.Dict:
                sb.Append('{');
                for (int i = 0; Items is not null && i + 1 < Items.Count; i += 2)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Items[i].Render(sb, budget, depth + 1);
                    sb.Append(": ");
                    Items[i + 1].Render(sb, budget, depth + 1);
                }

                if (Count * 2 > (Items?.Count ?? 0))
                {
                    sb.Append(", …");
                }

                sb.Append('}');
                break;
            case PValueKind.Global:
                sb.Append(Module).Append('.').Append(Name);
                break;
            case PValueKind.Call:
                Callable!.Render(sb, budget, depth + 1);
                Args!.AppendItems(sb, "(", ")", budget, depth);
                break;
            case PValueKind.Persistent:
                sb.Append("persistent_load(");
                Callable!.Render(sb, budget, depth + 1);
                sb.Append(')');
                break;
            case PValueKind.Buffer:
                sb.Append("<out-of-band buffer>");
                break;
        }
    }

    private void AppendItems(StringBuilder sb, string open, string close, int budget, int depth)
    {
        sb.Append(open);
        if (Kind is PValueKind.Tuple or PValueKind.List or PValueKind.Set)
        {
            for (int i = 0; Items is not null && i < Items.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                Items[i].Render(sb, budget, depth + 1);
                if (sb.Length > budget)
                {
                    break;
                }
            }

            if (Count > (Items?.Count ?? 0))
            {
                sb.Append(", …");
            }
        }
        else
        {
            Render(sb, budget, depth + 1);
        }

        sb.Append(close);
    }

    private static void AppendQuoted(StringBuilder sb, string text, long? fullLength, bool bytes = false)
    {
        sb.Append('\'');
        foreach (char c in text.Length > 120 ? text[..120] : text)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && (c < 0xA0 || bytes)))
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        if (text.Length > 120 || fullLength is not null)
        {
            sb.Append('…');
        }

        sb.Append('\'');
        if (fullLength is { } n)
        {
            sb.Append(" (").Append(n.ToString(CultureInfo.InvariantCulture)).Append(" bytes)");
        }
    }
}
