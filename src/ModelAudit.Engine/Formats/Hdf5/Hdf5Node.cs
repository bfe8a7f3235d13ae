using System.Text;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>An object header waiting in the walk: its address, its depth and the link that reached it. The path is
/// kept as a chain of parents, not as a string per node, so a wide group under a deep one costs a name per child,
/// not a whole path per child.</summary>
internal sealed record Hdf5Node(Hdf5Node? Parent, string Name, ulong Address, int Depth)
{
    public string Path()
    {
        if (Parent is null)
        {
            return Hdf5Object.RootPath;
        }

        var names = new Stack<string>();
        for (Hdf5Node? node = this; node?.Parent is not null; node = node.Parent)
        {
            names.Push(node.Name);
        }

        var path = new StringBuilder();
        foreach (string name in names)
        {
            path.Append('/').Append(name);
        }

        return path.ToString();
    }
}
