using System.Reflection;
using System.Runtime.Loader;

namespace ModelAudit.Commands.Loading;

/// <summary>
/// The private load context for the engine and its third-party dependencies (Dependencies/ folder). Anything not
/// found there — the framework, System.Management.Automation, ModelAudit.Model — comes from the default context,
/// so pipeline types stay shared while other modules' versions of SharpCompress or Protobuf cannot collide.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    private readonly string _directory;

    private EngineLoadContext(string directory)
        : base("ModelAudit.Engine", isCollectible: false)
    {
        _directory = directory;
    }

    public static EngineLoadContext Instance { get; } = new(Path.Combine(
        Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!, "Dependencies"));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null || assemblyName.Name == "ModelAudit.Model")
        {
            return null;
        }

        string candidate = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }
}
