using System.Collections.ObjectModel;

namespace ModelAudit;

/// <summary>
/// A read-only list of strings (CVE ids, errors) whose text form is its items joined with "; ", so Export-Csv and
/// string conversion show the values instead of a type name.
/// </summary>
public sealed class ModelTextList : ReadOnlyCollection<string>
{
    /// <summary>Wraps <paramref name="items"/> (copied, so the list cannot change under a reader).</summary>
    public ModelTextList(IEnumerable<string> items)
        : base(items.ToArray())
    {
    }

    /// <inheritdoc />
    public override string ToString() => string.Join("; ", this);
}
