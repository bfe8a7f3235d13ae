using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace ModelAudit.Commands.Loading;

/// <summary>
/// Runs when the module is imported: the default context asks this handler for ModelAudit.Engine (it is not beside
/// ModelAudit.dll) and gets it from <see cref="EngineLoadContext"/>. The handler answers for nothing else.
/// </summary>
public sealed class EngineLoader : IModuleAssemblyInitializer
{
    private static int s_hooked;

    /// <inheritdoc />
    public void OnImport()
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += Resolve;
        }
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "ModelAudit.Engine" ? EngineLoadContext.Instance.LoadFromAssemblyName(name) : null;
}
