namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>Where a graded function is first named in serialized code, in the most dangerous context it is named in,
/// and how often it is named.</summary>
internal sealed class RCallSite
{
    public RCallSite(string symbol, RCodeContext context, long offset, string? binding)
    {
        Symbol = symbol;
        Context = context;
        Offset = offset;
        Binding = binding;
    }

    public string Symbol { get; }

    public RCodeContext Context { get; private set; }

    public long Offset { get; private set; }

    /// <summary>The variable (workspace object, environment binding) whose value holds the code, when known.</summary>
    public string? Binding { get; private set; }

    public int Count { get; private set; } = 1;

    /// <summary>Counts another use; a use in a context that runs sooner (a function or promise over a call object)
    /// becomes the one shown.</summary>
    public void Add(RCodeContext context, long offset, string? binding)
    {
        Count++;
        if (context > Context)
        {
            Context = context;
            Offset = offset;
            Binding = binding;
        }
    }
}
