using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// The per-archive state of an <see cref="IArchiveLayout"/>: which members it wants to read (manifests and configs,
/// each up to <see cref="ScanLimits.MaxHeaderBytes"/>), what it learns from them, and its judgement at the end.
/// </summary>
internal abstract class ArchiveInspection
{
    /// <summary>True when the content of <paramref name="memberName"/> should be handed to <see cref="Inspect"/>.</summary>
    public abstract bool Wants(string memberName);

    /// <summary>One wanted member's bytes, with a context whose findings are that member's.</summary>
    public abstract void Inspect(string memberName, byte[] content, ScanContext memberContext);

    /// <summary>Called once after every member; <paramref name="memberNames"/> are all the archive's members.</summary>
    public virtual void Complete(IReadOnlyCollection<string> memberNames, ScanContext archiveContext)
    {
    }
}
