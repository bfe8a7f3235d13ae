using System.Reflection;
using System.Runtime.Loader;

namespace ModelAudit.Bench;

/// <summary>
/// Loads one build of the engine (and the model and third-party assemblies beside it) in a context of its own, so two
/// builds run side by side in one process (-Compare) and neither sees the other's types. Resolves from the folder
/// given and its Dependencies/ sub-folder (a built module keeps the engine there) and leaves the framework to the
/// default context.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    private readonly string[] _folders;

    public EngineLoadContext(string folder)
        : base("bench-engine " + folder, isCollectible: false)
    {
        _folders = new[] { folder, Path.Combine(folder, "Dependencies") }.Where(Directory.Exists).ToArray();
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        foreach (string folder in _folders)
        {
            string candidate = Path.Combine(folder, assemblyName.Name + ".dll");
            if (File.Exists(candidate))
            {
                return LoadFromAssemblyPath(candidate);
            }
        }

        return null;
    }

    /// <summary>The folder that holds ModelAudit.Engine.dll, or null when <paramref name="folder"/> is no build of it.</summary>
    public static string? EngineFolder(string folder) =>
        new[] { folder, Path.Combine(folder, "Dependencies") }.FirstOrDefault(f => File.Exists(Path.Combine(f, "ModelAudit.Engine.dll")));
}
