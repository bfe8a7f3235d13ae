using System.Numerics;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// The unpickler's memo. It belongs to the unpickler, not to one stream: CPython keeps it across load() calls on the
/// same file, so a later stacked pickle can GET what an earlier one PUT. Keys past the 64-bit range (text PUT keys are
/// Python ints) are kept apart, as the pure-Python unpickler's dict keeps them.
/// </summary>
internal sealed class PickleMemo
{
    private readonly Dictionary<long, PValue> _entries = new();
    private Dictionary<BigInteger, PValue>? _big;

    public int Count => _entries.Count + (_big?.Count ?? 0);

    public bool TryGet(long key, out PValue value) => _entries.TryGetValue(key, out value!);

    public bool TryGet(BigInteger key, out PValue value)
    {
        value = null!;
        return key >= long.MinValue && key <= long.MaxValue ? _entries.TryGetValue((long)key, out value!) : _big?.TryGetValue(key, out value!) == true;
    }

    public bool Contains(long key) => _entries.ContainsKey(key);

    public void Put(long key, PValue value) => _entries[key] = value;

    public void Put(BigInteger key, PValue value)
    {
        if (key >= long.MinValue && key <= long.MaxValue)
        {
            _entries[(long)key] = value;
        }
        else
        {
            (_big ??= new Dictionary<BigInteger, PValue>())[key] = value;
        }
    }
}
