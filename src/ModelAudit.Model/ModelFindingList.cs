using System.Collections.ObjectModel;

namespace ModelAudit;

/// <summary>
/// The findings of one result. Its text form lists the rule ids (<c>MA1001; MA2011</c>), so a results CSV shows what
/// was found instead of a type name; export the findings themselves with <c>Get-ModelFinding | Export-Csv</c>.
/// </summary>
public sealed class ModelFindingList : ReadOnlyCollection<ModelFinding>
{
    /// <summary>Wraps <paramref name="findings"/> (copied, so the list cannot change under a reader).</summary>
    public ModelFindingList(IEnumerable<ModelFinding> findings)
        : base(findings.ToArray())
    {
    }

    /// <inheritdoc />
    public override string ToString() => string.Join("; ", this.Select(f => f.RuleId));
}
