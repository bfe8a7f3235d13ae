namespace ModelAudit.Engine.Reporting;

/// <summary>One level of the tree of container members that findings name (a!b → a containing b), for the SBOM; children in first-seen order, which is scan order.</summary>
internal sealed class MemberNode
{
    private readonly Dictionary<string, MemberNode> _index = new(StringComparer.Ordinal);

    public List<KeyValuePair<string, MemberNode>> Children { get; } = new();

    public List<ModelFinding> Findings { get; } = new();

    public MemberNode Child(string name)
    {
        if (!_index.TryGetValue(name, out MemberNode? child))
        {
            child = new MemberNode();
            _index[name] = child;
            Children.Add(new(name, child));
        }

        return child;
    }
}
