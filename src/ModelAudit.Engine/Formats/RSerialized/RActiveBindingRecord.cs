namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>An active binding found by the walk: where, which variable, and whether its function names a graded call.</summary>
internal sealed class RActiveBindingRecord
{
    public RActiveBindingRecord(long offset, string binding)
    {
        Offset = offset;
        Binding = binding;
    }

    public long Offset { get; }

    public string Binding { get; }

    /// <summary>The function names something that runs commands, reaches the network, evaluates computed code or writes files.</summary>
    public bool NamesDangerous { get; set; }
}
