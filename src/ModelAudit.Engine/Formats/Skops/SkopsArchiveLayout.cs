using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Skops;

/// <summary>A .skops archive: skops.io.dump writes schema.json at the root, beside the arrays it references.</summary>
internal sealed class SkopsArchiveLayout : IArchiveLayout
{
    public const string SchemaMember = "schema.json";

    public ModelFormat Format => SkopsFormats.Skops;

    public bool Recognizes(string archiveName, IReadOnlyCollection<string> memberNames) =>
        memberNames.Contains(SchemaMember) && archiveName.EndsWith(".skops", StringComparison.OrdinalIgnoreCase);

    public ArchiveInspection Begin() => new SkopsSchemaInspection();
}
