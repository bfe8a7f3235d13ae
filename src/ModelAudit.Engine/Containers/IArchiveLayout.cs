using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// A model layout of a zip or tar archive (Keras .keras, skops, TorchServe .mar, NeMo): recognised from member
/// names, shown the small manifest members it asks for while the archive streams past (nothing is extracted), and
/// given the last word once every member was seen. Every member is still dispatched by content as usual; a layout
/// adds the checks that need the archive as a whole (a version in one member deciding a CVE for another).
/// </summary>
internal interface IArchiveLayout
{
    /// <summary>The format the archive is shown as when this layout holds.</summary>
    ModelFormat Format { get; }

    /// <summary>True when an archive named <paramref name="archiveName"/> holding <paramref name="memberNames"/>
    /// (every member of a zip; the members seen so far of a tar, which streams) is this layout.</summary>
    bool Recognizes(string archiveName, IReadOnlyCollection<string> memberNames);

    /// <summary>A fresh inspection for one archive.</summary>
    ArchiveInspection Begin();
}
